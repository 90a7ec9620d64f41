package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NftRulesetTest {
    private static final ClassificationSets SETS = new ClassificationSets(cidrs("10.10.0.0/16", "fd00:10::/32"),
            cidrs("10.20.0.0/16"), cidrs("10.0.0.0/16"));

    @Test
    void scriptForAnEmptyKernel_declaresFlushesAndFillsEverything() {
        NftRuleset r = NftRuleset.build("netcost", List.of(pod("shop", "web-0", "10.10.1.2"), pod("shop", "api-0", "10.10.1.3")),
                SETS, false);
        assertThat(NftReconciler.plan(r, NftTableState.ABSENT, Set.of())).isEqualTo("""
                add table inet netcost
                add chain inet netcost egress
                add chain inet netcost ingress
                add chain inet netcost postrouting { type filter hook postrouting priority mangle; policy accept; }
                add set inet netcost same4 { type ipv4_addr; flags interval; }
                add set inet netcost cross4 { type ipv4_addr; flags interval; }
                add set inet netcost vpc4 { type ipv4_addr; flags interval; }
                add map inet netcost e4_same_zone { type ipv4_addr : counter; }
                add map inet netcost i4_same_zone { type ipv4_addr : counter; }
                add map inet netcost e4_cross_zone { type ipv4_addr : counter; }
                add map inet netcost i4_cross_zone { type ipv4_addr : counter; }
                add map inet netcost e4_in_vpc { type ipv4_addr : counter; }
                add map inet netcost i4_in_vpc { type ipv4_addr : counter; }
                add map inet netcost e4_internet { type ipv4_addr : counter; }
                add map inet netcost i4_internet { type ipv4_addr : counter; }
                flush chain inet netcost egress
                flush chain inet netcost ingress
                flush chain inet netcost postrouting
                flush set inet netcost same4
                flush set inet netcost cross4
                flush set inet netcost vpc4
                flush map inet netcost e4_same_zone
                flush map inet netcost i4_same_zone
                flush map inet netcost e4_cross_zone
                flush map inet netcost i4_cross_zone
                flush map inet netcost e4_in_vpc
                flush map inet netcost i4_in_vpc
                flush map inet netcost e4_internet
                flush map inet netcost i4_internet
                add counter inet netcost e4-same_zone-0a0a0102
                add counter inet netcost e4-same_zone-0a0a0103
                add counter inet netcost i4-same_zone-0a0a0102
                add counter inet netcost i4-same_zone-0a0a0103
                add counter inet netcost e4-cross_zone-0a0a0102
                add counter inet netcost e4-cross_zone-0a0a0103
                add counter inet netcost i4-cross_zone-0a0a0102
                add counter inet netcost i4-cross_zone-0a0a0103
                add counter inet netcost e4-in_vpc-0a0a0102
                add counter inet netcost e4-in_vpc-0a0a0103
                add counter inet netcost i4-in_vpc-0a0a0102
                add counter inet netcost i4-in_vpc-0a0a0103
                add counter inet netcost e4-internet-0a0a0102
                add counter inet netcost e4-internet-0a0a0103
                add counter inet netcost i4-internet-0a0a0102
                add counter inet netcost i4-internet-0a0a0103
                add element inet netcost same4 { 10.10.0.0/16 }
                add element inet netcost cross4 { 10.20.0.0/16 }
                add element inet netcost vpc4 { 10.0.0.0/16 }
                add element inet netcost e4_same_zone { 10.10.1.2 : "e4-same_zone-0a0a0102", 10.10.1.3 : "e4-same_zone-0a0a0103" }
                add element inet netcost i4_same_zone { 10.10.1.2 : "i4-same_zone-0a0a0102", 10.10.1.3 : "i4-same_zone-0a0a0103" }
                add element inet netcost e4_cross_zone { 10.10.1.2 : "e4-cross_zone-0a0a0102", 10.10.1.3 : "e4-cross_zone-0a0a0103" }
                add element inet netcost i4_cross_zone { 10.10.1.2 : "i4-cross_zone-0a0a0102", 10.10.1.3 : "i4-cross_zone-0a0a0103" }
                add element inet netcost e4_in_vpc { 10.10.1.2 : "e4-in_vpc-0a0a0102", 10.10.1.3 : "e4-in_vpc-0a0a0103" }
                add element inet netcost i4_in_vpc { 10.10.1.2 : "i4-in_vpc-0a0a0102", 10.10.1.3 : "i4-in_vpc-0a0a0103" }
                add element inet netcost e4_internet { 10.10.1.2 : "e4-internet-0a0a0102", 10.10.1.3 : "e4-internet-0a0a0103" }
                add element inet netcost i4_internet { 10.10.1.2 : "i4-internet-0a0a0102", 10.10.1.3 : "i4-internet-0a0a0103" }
                add rule inet netcost egress ip daddr @same4 counter name ip saddr map @e4_same_zone return
                add rule inet netcost egress ip daddr @cross4 counter name ip saddr map @e4_cross_zone return
                add rule inet netcost egress ip daddr @vpc4 counter name ip saddr map @e4_in_vpc return
                add rule inet netcost egress counter name ip saddr map @e4_internet return
                add rule inet netcost ingress ip saddr @same4 counter name ip daddr map @i4_same_zone return
                add rule inet netcost ingress ip saddr @cross4 counter name ip daddr map @i4_cross_zone return
                add rule inet netcost ingress ip saddr @vpc4 counter name ip daddr map @i4_in_vpc return
                add rule inet netcost ingress counter name ip daddr map @i4_internet return
                add rule inet netcost postrouting jump egress
                add rule inet netcost postrouting jump ingress
                """);
        assertThat(r.counters()).hasSize(16);
        assertThat(r.podByAddress()).containsExactly(Map.entry("10.10.1.2", "shop/web-0"), Map.entry("10.10.1.3", "shop/api-0"));
    }

    @Test
    void existingCounters_areKeptUnlessGoneOrReset_andStrayObjectsDeletedAfterTheFlush() {
        NftRuleset r = NftRuleset.build("netcost", List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(List.of(), List.of(), List.of()), false);
        NftTableState current = new NftTableState(true,
                Set.of("e4-internet-0a0a0102", "i4-internet-0a0a0102", "e4-internet-0a0a0109"),
                Set.of("same4"), Set.of("e4_internet", "e4_same_zone"), Map.of("egress", List.of(), "old", List.of()));
        String plan = NftReconciler.plan(r, current, Set.of("i4-internet-0a0a0102"));
        assertThat(plan).doesNotContain("add counter inet netcost e4-internet-0a0a0102")
                .doesNotContain("delete counter inet netcost e4-internet-0a0a0102")
                .contains("delete counter inet netcost e4-internet-0a0a0109\n")
                .contains("delete counter inet netcost i4-internet-0a0a0102\n").contains("add counter inet netcost i4-internet-0a0a0102\n")
                .contains("delete set inet netcost same4\n").contains("delete map inet netcost e4_same_zone\n")
                .contains("delete chain inet netcost old\n");
        assertThat(plan.indexOf("flush map inet netcost e4_same_zone")).isLessThan(plan.indexOf("delete counter"));
        assertThat(plan.indexOf("delete counter inet netcost i4-internet-0a0a0102"))
                .isLessThan(plan.indexOf("add counter inet netcost i4-internet-0a0a0102"));
        assertThat(plan.indexOf("flush chain inet netcost old")).isLessThan(plan.indexOf("delete chain inet netcost old"));
        assertThat(plan.indexOf("flush chain inet netcost egress")).isLessThan(plan.indexOf("delete set"));
    }

    @Test
    void unusedClassesAndFamilies_costNothing_andIpv6UsesTheFirstV6AddressWhenEnabled() {
        PodInfo dual = pod("shop", "web-0", "10.10.1.2", "fd00:10:1::2", "fd00:10:1::3");
        NftRuleset v4Only = NftRuleset.build("netcost", List.of(dual), SETS, false);
        assertThat(v4Only.sets()).extracting(NftRuleset.NamedSet::name).containsExactly("same4", "cross4", "vpc4");
        assertThat(v4Only.counters().keySet()).noneMatch(c -> c.startsWith("e6") || c.startsWith("i6"));

        NftRuleset dualStack = NftRuleset.build("netcost", List.of(dual), SETS, true);
        assertThat(dualStack.sets()).extracting(NftRuleset.NamedSet::name).containsExactly("same4", "cross4", "vpc4", "same6");
        assertThat(dualStack.maps()).extracting(NftRuleset.CounterMap::name)
                .contains("e6_same_zone", "i6_same_zone", "e6_internet", "i6_internet")
                .doesNotContain("e6_cross_zone", "i6_in_vpc");
        assertThat(dualStack.counters()).containsEntry("e6-same_zone-fd000010000100000000000000000002", "fd00:10:1::2")
                .doesNotContainKey("e6-same_zone-fd000010000100000000000000000003").hasSize(8 + 4);
        assertThat(dualStack.rules().get("egress")).endsWith("ip6 daddr @same6 counter name ip6 saddr map @e6_same_zone return",
                "counter name ip6 saddr map @e6_internet return");

        NftRuleset v6Pod = NftRuleset.build("netcost", List.of(pod("shop", "six-0", "fd00:10:3::2")), SETS, true);
        assertThat(v6Pod.sets()).extracting(NftRuleset.NamedSet::name).containsExactly("same6");
        assertThat(v6Pod.counters()).hasSize(4);
        assertThat(v6Pod.rules().get("postrouting")).containsExactly("jump egress", "jump ingress");
    }

    @Test
    void hostNetworkPods_getNoCounters_andNoPodsMeansEmptyChains() {
        PodInfo host = new PodInfo("kube-system", "proxy-0", "u", List.of("192.168.1.10"), true, Map.of(), "proxy", "DaemonSet");
        NftRuleset r = NftRuleset.build("netcost", List.of(host), SETS, true);
        assertThat(r.counters()).isEmpty();
        assertThat(r.sets()).isEmpty();
        assertThat(r.maps()).isEmpty();
        assertThat(r.rules().get("egress")).isEmpty();
        assertThat(r.rules().get("postrouting")).containsExactly("jump egress", "jump ingress");
    }

    @Test
    void twoPodsClaimingOneAddress_firstByNamespaceAndNameWins_theOtherIsSkipped() {
        NftRuleset r = NftRuleset.build("netcost", List.of(pod("b", "web-0", "10.10.1.2"), pod("a", "web-0", "10.10.1.2"),
                pod("a", "six-0", "fd00::1"), pod("a", "six-1", "fd00:0::0:1")), SETS, true);
        assertThat(r.podByAddress()).containsEntry("10.10.1.2", "a/web-0").containsEntry("fd00::1", "a/six-0");
        assertThat(r.skipped()).containsExactly("a/six-1 (fd00::1 already belongs to a/six-0)",
                "b/web-0 (10.10.1.2 already belongs to a/web-0)");
    }

    @Test
    void overlappingAndDuplicateCidrs_areMerged_perFamily_andAZeroPrefixStays() {
        assertThat(NftRuleset.merged(cidrs("10.1.2.0/24", "10.0.0.0/8", "10.0.0.0/8", "192.168.0.0/16", "192.168.1.1",
                "fd00::/8", "11.0.0.0/8"), false)).containsExactly("10.0.0.0/8", "11.0.0.0/8", "192.168.0.0/16");
        assertThat(NftRuleset.merged(cidrs("fd00:10::/32", "fd00::/8", "2001:db8::/32", "fd00:10:1::5"), true))
                .containsExactly("2001:db8::/32", "fd00::/8");
        assertThat(NftRuleset.merged(cidrs("10.0.0.0/8", "0.0.0.0/0", "172.16.0.0/12"), false)).containsExactly("0.0.0.0/0");
        NftRuleset r = NftRuleset.build("netcost", List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.10.0.0/16", "10.10.1.0/24"), List.of(), cidrs("0.0.0.0/0")), false);
        assertThat(r.sets()).containsExactly(new NftRuleset.NamedSet("same4", false, List.of("10.10.0.0/16")),
                new NftRuleset.NamedSet("vpc4", false, List.of("0.0.0.0/0")));
    }

    @Test
    void counterNames_encodeDirectionFamilyClassAndAddress() {
        assertThat(NftRuleset.counterName(Direction.INGRESS, TrafficClass.IN_VPC, new byte[] {10, 0, 5, (byte) 255}))
                .isEqualTo("i4-in_vpc-0a0005ff");
        assertThat(NftRuleset.tableName(new ChainNames("NETCOST"))).isEqualTo("netcost");
    }

    @Test
    void sameInput_buildsAnEqualRuleset_whateverTheOrderOfPodsAndCidrs() {
        NftRuleset a = NftRuleset.build("netcost", List.of(pod("shop", "web-0", "10.10.1.2"), pod("shop", "api-0", "10.10.1.3")),
                new ClassificationSets(cidrs("10.10.0.0/16", "10.11.0.0/16"), List.of(), List.of()), false);
        NftRuleset b = NftRuleset.build("netcost", List.of(pod("shop", "api-0", "10.10.1.3"), pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.11.0.0/16", "10.10.0.0/16"), List.of(), List.of()), false);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        NftRuleset otherPod = NftRuleset.build("netcost", List.of(pod("shop", "web-1", "10.10.1.2"), pod("shop", "api-0", "10.10.1.3")),
                new ClassificationSets(cidrs("10.10.0.0/16", "10.11.0.0/16"), List.of(), List.of()), false);
        assertThat(otherPod).isNotEqualTo(a);
    }

    @Test
    void listing_isParsedIntoNames_andChainLines() {
        NftTableState s = NftTableState.parse("""
                table inet netcost {
                \tcounter e4-internet-0a0a0102 {
                \t\tpackets 5 bytes 500
                \t}

                \tmap e4_internet {
                \t\ttype ipv4_addr : counter
                \t}

                \tset same4 {
                \t\ttype ipv4_addr
                \t\tflags interval
                \t}

                \tchain egress {
                \t\tcounter name ip saddr map @e4_internet return
                \t}

                \tchain ingress {
                \t}

                \tchain postrouting {
                \t\ttype filter hook postrouting priority mangle; policy accept;
                \t\tjump egress
                \t\tjump ingress
                \t}
                }
                """);
        assertThat(s.exists()).isTrue();
        assertThat(s.counters()).containsExactly("e4-internet-0a0a0102");
        assertThat(s.maps()).containsExactly("e4_internet");
        assertThat(s.sets()).containsExactly("same4");
        assertThat(s.chains()).containsExactly(Map.entry("egress", List.of("counter name ip saddr map @e4_internet return")),
                Map.entry("ingress", List.of()),
                Map.entry("postrouting", List.of(NftRuleset.HOOK, "jump egress", "jump ingress")));
    }
}
