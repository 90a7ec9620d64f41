package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Counters only for the pods a load balancer targets, when its targets are known (both layouts). */
class LoadBalancerTargetsTest {
    private static final ChainNames NAMES = new ChainNames("NETCOST");
    private static final ClassificationSets SETS = new ClassificationSets(cidrs("10.10.0.0/16"), List.of(), List.of());
    private static final PodInfo WEB = pod("shop", "web-0", "10.10.1.2");
    private static final PodInfo API = pod("shop", "api-0", "10.10.1.3");
    private static final PodInfo SEARCH = pod("search", "idx-0", "10.10.1.4");
    private static final List<PodInfo> PODS = List.of(WEB, API, SEARCH);
    private static final LoadBalancer.Targets SHOP = LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("shop", Map.of())));

    private static LoadBalancer lb(String name, String ip, LoadBalancer.Targets targets) {
        return new LoadBalancer(name, LoadBalancerType.APPLICATION, "", List.of(new LoadBalancer.Address(ip, "zone-a")), targets);
    }

    private static LoadBalancerIndex index(LoadBalancer... lbs) {
        return LoadBalancerIndex.build(List.of(lbs), "zone-a");
    }

    private static AccountingRules iptables(LoadBalancerIndex lbs, List<PodInfo> pods) {
        return AccountingRules.build(NAMES, pods, SETS, lbs, false, AccountingRules.NO_SETS);
    }

    @Test
    void iptables_knownTargets_countOnlyTheirPods_andTheChainEndsInTheLoadBalancerClassChainOfTheOthers() {
        LoadBalancerIndex lbs = index(lb("shop-alb", "10.0.1.50", SHOP));
        String c = lbs.entries().get(0).code();

        AccountingRules r = iptables(lbs, PODS);

        AccountingRules.ClassChain egress = r.classChains().get("NETCOST-LES-" + c);
        assertThat(egress.specs()).containsExactly("-A NETCOST-LES-" + c + " -s 10.10.1.2/32 -j RETURN",
                "-A NETCOST-LES-" + c + " -s 10.10.1.3/32 -j RETURN");
        assertThat(egress.tail()).isEqualTo("-A NETCOST-LES-" + c + " -g NETCOST-E-LB");
        assertThat(r.classChains().get("NETCOST-LIS-" + c).tail()).isEqualTo("-A NETCOST-LIS-" + c + " -g NETCOST-I-LB");
        assertThat(r.classChains().get("NETCOST-LCN-" + c).specs()).hasSize(2).noneMatch(s -> s.contains("10.10.1.4"));
        assertThat(r.classChains().get("NETCOST-LCN-" + c).tail()).isNull();
        // Every pod, so that one joining the targets keeps this counter.
        assertThat(r.classChains().get("NETCOST-E-LB").specs()).containsExactly("-A NETCOST-E-LB -s 10.10.1.2/32 -j RETURN",
                "-A NETCOST-E-LB -s 10.10.1.3/32 -j RETURN", "-A NETCOST-E-LB -s 10.10.1.4/32 -j RETURN");
        assertThat(r.classChains().get("NETCOST-I-LB").specs()).hasSize(3);
        assertThat(r.classChains().get("NETCOST-I-LB").trafficClass()).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(r.classChains().get("NETCOST-I-LB").loadBalancerKind()).isNull();
        // same zone (2 directions x 3 pods) + internet (same) + lb bytes (2 x 2) + connections (2) + load_balancer (2 x 3)
        assertThat(r.countingRules()).isEqualTo(6 + 6 + 4 + 2 + 6);
    }

    @Test
    void iptables_unknownTargets_orTargetsCoveringEveryPod_areLaidOutAsBefore() {
        AccountingRules unknown = iptables(index(lb("a", "10.0.1.50", LoadBalancer.Targets.UNKNOWN)), PODS);
        AccountingRules everyone = iptables(index(lb("a", "10.0.1.50", LoadBalancer.Targets.of(List.of(
                new LoadBalancer.Target("shop", Map.of()), new LoadBalancer.Target("search", Map.of()))))), PODS);

        assertThat(unknown.classChains()).doesNotContainKeys("NETCOST-E-LB", "NETCOST-I-LB");
        assertThat(unknown.classChains().values()).allMatch(ch -> ch.tail() == null);
        assertThat(everyone.classChains()).isEqualTo(unknown.classChains());
        assertThat(everyone.classifyRules(Direction.INGRESS)).isEqualTo(unknown.classifyRules(Direction.INGRESS));
    }

    @Test
    void iptables_aLoadBalancerTargetingNoLocalPod_keepsItsGotos_withoutCountersOrConnectionJumps() {
        LoadBalancerIndex lbs = index(lb("far", "10.0.1.50", LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("x", Map.of())))));
        String c = lbs.entries().get(0).code();

        AccountingRules r = iptables(lbs, PODS);

        assertThat(r.classifyRules(Direction.INGRESS)).startsWith("-A NETCOST-INGRESS -s 10.0.1.50/32 -g NETCOST-LIS-" + c)
                .noneMatch(rule -> rule.contains("ctstate"));
        assertThat(r.classChains().get("NETCOST-LIS-" + c).rules()).isEmpty();
        assertThat(r.classChains().get("NETCOST-LIS-" + c).tail()).isEqualTo("-A NETCOST-LIS-" + c + " -g NETCOST-I-LB");
        assertThat(r.classChains()).doesNotContainKey("NETCOST-LCN-" + c);
        assertThat(r.classChains().get("NETCOST-I-LB").rules()).hasSize(3);
    }

    @Test
    void iptables_everyPodIsCountedOnceInTheClassChain_whateverTheNumberOfLoadBalancersLeavingItOut() {
        LoadBalancerIndex lbs = index(lb("shop-alb", "10.0.1.50", SHOP),
                lb("search-alb", "10.0.1.51", LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("search", Map.of())))),
                lb("all", "10.0.1.52", LoadBalancer.Targets.UNKNOWN));

        AccountingRules r = iptables(lbs, PODS);

        assertThat(r.classChains().get("NETCOST-E-LB").rules()).extracting(AccountingRules.CountingRule::podKey)
                .containsExactly("shop/web-0", "shop/api-0", "search/idx-0");
        assertThat(r.classChains().values().stream().filter(ch -> ch.tail() != null)).hasSize(4);
    }

    @Test
    void planner_keepsTheTailLast_whenAPodJoinsTheTargets_andLeavesAGoodChainAlone() throws Exception {
        LoadBalancerIndex lbs = index(lb("shop-alb", "10.0.1.50", SHOP));
        String c = lbs.entries().get(0).code();
        RestorePlanner planner = new RestorePlanner(NAMES);
        AccountingRules before = iptables(lbs, PODS);
        MangleSnapshot applied = new IptablesSaveParser(NAMES).snapshot(saved(before));
        assertThat(planner.plan(applied, before)).isEmpty();

        String plan = planner.plan(applied, iptables(lbs, List.of(WEB, API, SEARCH, pod("shop", "new-0", "10.10.1.5"))));

        assertThat(plan).contains("-D NETCOST-LES-" + c + " -g NETCOST-E-LB\n")
                .contains("[0:0] -A NETCOST-LES-" + c + " -s 10.10.1.5/32 -j RETURN\n[0:0] -A NETCOST-LES-" + c
                        + " -g NETCOST-E-LB\n")
                .doesNotContain("-D NETCOST-LES-" + c + " -s")
                .doesNotContain("-D NETCOST-E-LB -s")
                .contains("[0:0] -A NETCOST-E-LB -s 10.10.1.5/32 -j RETURN\n");
        // A tail that is not last (or is missing) is put back last.
        String misplaced = saved(before).replace("[0:0] -A NETCOST-LES-" + c + " -g NETCOST-E-LB\n", "")
                .replace("[0:0] -A NETCOST-LES-" + c + " -s 10.10.1.2/32", "[0:0] -A NETCOST-LES-" + c + " -g NETCOST-E-LB\n[0:0] -A NETCOST-LES-"
                        + c + " -s 10.10.1.2/32");
        assertThat(planner.plan(new IptablesSaveParser(NAMES).snapshot(misplaced), before))
                .isEqualTo("*mangle\n-D NETCOST-LES-" + c + " -g NETCOST-E-LB\n[0:0] -A NETCOST-LES-" + c + " -g NETCOST-E-LB\nCOMMIT\n");
        // Targets cover every pod again: the tail and the class chain go.
        String all = planner.plan(applied, iptables(index(lb("shop-alb", "10.0.1.50", LoadBalancer.Targets.UNKNOWN)), PODS));
        // The tail that refers to the class chain is deleted before the chain is.
        assertThat(all).contains("-D NETCOST-LES-" + c + " -g NETCOST-E-LB\n-D NETCOST-LIS-" + c + " -g NETCOST-I-LB\n-F NETCOST-E-LB\n")
                .contains("-X NETCOST-E-LB\n").doesNotContain("-D NETCOST-LES-" + c + " -s");
    }

    /** What iptables-save -c would print after loading {@code rules} from scratch. */
    private static String saved(AccountingRules rules) {
        StringBuilder s = new StringBuilder("*mangle\n:POSTROUTING ACCEPT [0:0]\n:NETCOST - [0:0]\n:NETCOST-EGRESS - [0:0]\n"
                + ":NETCOST-INGRESS - [0:0]\n");
        rules.classChains().keySet().forEach(ch -> s.append(':').append(ch).append(" - [0:0]\n"));
        s.append("[0:0] ").append(rules.jumpRule()).append('\n');
        rules.mainRules().forEach(r -> s.append("[0:0] ").append(r).append('\n'));
        for (Direction d : Direction.values()) {
            rules.classifyRules(d).forEach(r -> s.append("[0:0] ").append(r).append('\n'));
        }
        for (AccountingRules.ClassChain ch : rules.classChains().values()) {
            ch.specs().forEach(r -> s.append("[0:0] ").append(r).append('\n'));
            if (ch.tail() != null) {
                s.append("[0:0] ").append(ch.tail()).append('\n');
            }
        }
        return s.append("COMMIT\n").toString();
    }

    @Test
    void nft_knownTargets_fillThePairMapsWithTheirPodsOnly_andTheOthersFallThroughToTheLoadBalancerClass() {
        LoadBalancerIndex lbs = index(lb("shop-alb", "10.0.1.50", SHOP));
        String c = lbs.entries().get(0).code().toLowerCase(Locale.ROOT);

        NftRuleset r = NftRuleset.build("netcost", PODS, SETS, lbs, false);

        assertThat(r.rules().get("ingress")).startsWith(
                "ct state new ip saddr @lb4 counter name ip daddr . ip saddr map @c4_lb",
                "ip saddr @lb4 counter name ip daddr . ip saddr map @i4_lb return",
                "ip saddr @lb4 counter name ip daddr map @i4_load_balancer return");
        assertThat(r.rules().get("egress")).startsWith("ip daddr @lb4 counter name ip saddr . ip daddr map @e4_lb return",
                "ip daddr @lb4 counter name ip saddr map @e4_load_balancer return");
        assertThat(map(r, "e4_lb").elements()).containsOnlyKeys("10.10.1.2 . 10.0.1.50", "10.10.1.3 . 10.0.1.50");
        assertThat(map(r, "e4_load_balancer").elements()).containsExactly(Map.entry("10.10.1.2", "e4-load_balancer-0a0a0102"),
                Map.entry("10.10.1.3", "e4-load_balancer-0a0a0103"), Map.entry("10.10.1.4", "e4-load_balancer-0a0a0104"));
        assertThat(r.counters()).containsKeys("i4-load_balancer-0a0a0104", "lc4-" + c + "-0a0a0102")
                .doesNotContainKeys("lc4-" + c + "-0a0a0104", "le4-same_zone-" + c + "-0a0a0104");
        NftCounterNames names = new NftCounterNames();
        byte[] name = "i4-load_balancer-0a0a0104".getBytes(StandardCharsets.US_ASCII);
        assertThat(names.parse(name, 0, name.length)).isTrue();
        assertThat(names.trafficClass).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(names.direction).isEqualTo(Direction.INGRESS);
        assertThat(names.loadBalancerKind).isNull();
        assertThat(names.low).isEqualTo(0x0a0a0104L);
    }

    @Test
    void nft_noLocalTarget_meansNoPairMapsOrRules_everyPodInTheLoadBalancerClass() {
        LoadBalancerIndex lbs = index(lb("far", "10.0.1.50", LoadBalancer.Targets.of(List.of())));

        NftRuleset r = NftRuleset.build("netcost", PODS, SETS, lbs, false);

        assertThat(r.maps()).extracting(NftRuleset.CounterMap::name).doesNotContain("c4_lb", "i4_lb", "e4_lb")
                .contains("i4_load_balancer", "e4_load_balancer");
        assertThat(r.rules().get("ingress")).first().isEqualTo("ip saddr @lb4 counter name ip daddr map @i4_load_balancer return");
        assertThat(map(r, "i4_load_balancer").elements()).hasSize(3);
        assertThat(NftReconciler.plan(r, NftTableState.ABSENT, Set.of())).doesNotContain("{  }");
    }

    @Test
    void nft_unknownTargets_buildTheSameRulesetAsBefore() {
        NftRuleset unknown = NftRuleset.build("netcost", PODS, SETS, index(lb("a", "10.0.1.50", LoadBalancer.Targets.UNKNOWN)), false);

        assertThat(unknown.maps()).extracting(NftRuleset.CounterMap::name).doesNotContain("i4_load_balancer", "e4_load_balancer");
        assertThat(unknown.counters().keySet()).noneMatch(n -> n.contains("load_balancer"));
        assertThat(map(unknown, "e4_lb").elements()).hasSize(3);
    }

    private static NftRuleset.CounterMap map(NftRuleset r, String name) {
        return r.maps().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }
}
