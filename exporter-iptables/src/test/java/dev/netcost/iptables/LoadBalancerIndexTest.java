package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The load balancers' ids, zone classes, chains (iptables) and counters (nft). */
class LoadBalancerIndexTest {
    private static final LoadBalancer ALB = new LoadBalancer("k8s-sharedalb-1a2b3c4d5e", LoadBalancerType.APPLICATION, "",
            List.of(new LoadBalancer.Address("10.0.2.50", "zone-b"), new LoadBalancer.Address("10.0.1.50", "zone-a"),
                    new LoadBalancer.Address("10.0.3.50", ""), new LoadBalancer.Address("fd00:ff::50", "zone-c")));
    private static final LoadBalancerIndex INDEX = LoadBalancerIndex.build(List.of(ALB), "zone-a");
    private static final ClassificationSets SETS = new ClassificationSets(cidrs("10.10.0.0/16"), List.of(), List.of());

    @Test
    void groupsAddressesByZoneClass_unknownZoneIsInVpc_andTheIdIsStable() {
        LoadBalancerIndex.Entry e = INDEX.entries().get(0);
        assertThat(e.addresses4()).containsExactly(Map.entry(TrafficClass.SAME_ZONE, List.of("10.0.1.50")),
                Map.entry(TrafficClass.CROSS_ZONE, List.of("10.0.2.50")), Map.entry(TrafficClass.IN_VPC, List.of("10.0.3.50")));
        assertThat(e.addresses6()).containsExactly(Map.entry(TrafficClass.CROSS_ZONE, List.of("fd00:ff::50")));
        assertThat(e.code()).hasSize(6).matches("[A-Z2-7]{6}").isEqualTo(LoadBalancerIndex.code(LoadBalancerIndex.id(ALB.name())));
        assertThat(INDEX.indexOf(e.id())).isZero();
        assertThat(INDEX.indexOf(e.id() ^ 1)).isEqualTo(-1);
        assertThat(LoadBalancerIndex.build(List.of(ALB), "").entries().get(0).addresses4()).containsOnlyKeys(TrafficClass.IN_VPC);
        assertThat(LoadBalancerIndex.zoneClass("zone-b", "zone-a")).isEqualTo(TrafficClass.CROSS_ZONE);
    }

    @Test
    void chainNames_roundTrip_fitIptablesWithTheLongestPrefix_andAreOwned() {
        ChainNames longest = new ChainNames("N".repeat(ChainNames.MAX_PREFIX));
        String chain = longest.loadBalancerChain(LoadBalancerCounter.INGRESS, TrafficClass.CROSS_ZONE, "ABCDEF");
        assertThat(chain).hasSize(ChainNames.MAX_CHAIN_NAME).endsWith("-LIX-ABCDEF");
        assertThat(longest.isOwned(chain)).isTrue();
        assertThat(longest.isOldPodChain(chain)).isFalse();
        ChainNames.LoadBalancerChain out = new ChainNames.LoadBalancerChain();
        String conn = new ChainNames("NETCOST").loadBalancerChain(LoadBalancerCounter.CONNECTIONS, null, "ABCDEF");
        assertThat(conn).isEqualTo("NETCOST-LCN-ABCDEF");
        assertThat(ChainNames.decodeLoadBalancerChain(conn, 7, conn.length(), out)).isTrue();
        assertThat(out.kind).isEqualTo(LoadBalancerCounter.CONNECTIONS);
        assertThat(out.zoneClass).isNull();
        assertThat(LoadBalancerIndex.code(out.id)).isEqualTo("ABCDEF");
        assertThat(ChainNames.decodeLoadBalancerChain("NETCOST-LEQ-ABCDEF", 7, 18, out)).isFalse();
        assertThat(ChainNames.decodeLoadBalancerChain("NETCOST-LES-ABCDE1", 7, 18, out)).isFalse();
        assertThat(new ChainNames("NETCOST").isOwned("NETCOST-LES-ABCDE")).isFalse();
    }

    @Test
    void iptablesLayout_sendsLoadBalancerAddressesFirst_andJumpsNewConnectionsBeforeClassifying() {
        AccountingRules r = AccountingRules.build(new ChainNames("NETCOST"), List.of(pod("shop", "web-0", "10.10.1.2")), SETS, INDEX,
                false, AccountingRules.NO_SETS);
        String c = INDEX.entries().get(0).code();
        assertThat(r.classifyRules(Direction.INGRESS)).containsExactly(
                "-A NETCOST-INGRESS -s 10.0.1.50/32 -m conntrack --ctstate NEW -j NETCOST-LCN-" + c,
                "-A NETCOST-INGRESS -s 10.0.2.50/32 -m conntrack --ctstate NEW -j NETCOST-LCN-" + c,
                "-A NETCOST-INGRESS -s 10.0.3.50/32 -m conntrack --ctstate NEW -j NETCOST-LCN-" + c,
                "-A NETCOST-INGRESS -s 10.0.1.50/32 -g NETCOST-LIS-" + c,
                "-A NETCOST-INGRESS -s 10.0.2.50/32 -g NETCOST-LIX-" + c,
                "-A NETCOST-INGRESS -s 10.0.3.50/32 -g NETCOST-LIV-" + c,
                "-A NETCOST-INGRESS -s 10.10.0.0/16 -g NETCOST-I-SAME",
                "-A NETCOST-INGRESS -g NETCOST-I-INET");
        assertThat(r.classifyRules(Direction.EGRESS)).startsWith("-A NETCOST-EGRESS -d 10.0.1.50/32 -g NETCOST-LES-" + c);
        assertThat(r.classChains().get("NETCOST-LES-" + c).specs()).containsExactly("-A NETCOST-LES-" + c + " -s 10.10.1.2/32 -j RETURN");
        assertThat(r.classChains().get("NETCOST-LCN-" + c).specs()).containsExactly("-A NETCOST-LCN-" + c + " -d 10.10.1.2/32 -j RETURN");
        assertThat(r.classChains()).doesNotContainKeys("NETCOST-E-LB", "NETCOST-I-LB");
        // 2 classes x 2 directions, plus 3 load-balancer chains per direction, plus connections: one rule per pod each.
        assertThat(r.countingRules()).isEqualTo(4 + 6 + 1);
        // No IPv6 pod: no IPv6 chain, whatever the load balancer's IPv6 addresses.
        assertThat(AccountingRules.build(new ChainNames("NETCOST"), List.of(pod("shop", "web-0", "10.10.1.2")), SETS, INDEX,
                true, AccountingRules.NO_SETS).classChains()).isEmpty();
    }

    @Test
    void nftLayout_mapsPodAndLoadBalancerAddressToOneCounterPerZoneClass() {
        NftRuleset r = NftRuleset.build("netcost", List.of(pod("shop", "web-0", "10.10.1.2")), SETS, INDEX, false);
        String c = INDEX.entries().get(0).code().toLowerCase(java.util.Locale.ROOT);
        assertThat(r.rules().get("ingress")).startsWith(
                "ct state new ip saddr @lb4 counter name ip daddr . ip saddr map @c4_lb",
                "ip saddr @lb4 counter name ip daddr . ip saddr map @i4_lb return");
        assertThat(r.rules().get("egress")).first().isEqualTo("ip daddr @lb4 counter name ip saddr . ip daddr map @e4_lb return");
        assertThat(r.sets()).first().isEqualTo(new NftRuleset.NamedSet("lb4", false, List.of("10.0.1.50/32", "10.0.2.50/32",
                "10.0.3.50/32")));
        NftRuleset.CounterMap ingress = r.maps().stream().filter(m -> m.name().equals("i4_lb")).findFirst().orElseThrow();
        assertThat(ingress.pair()).isTrue();
        assertThat(ingress.elements()).containsEntry("10.10.1.2 . 10.0.1.50", "li4-same_zone-" + c + "-0a0a0102")
                .containsEntry("10.10.1.2 . 10.0.2.50", "li4-cross_zone-" + c + "-0a0a0102")
                .containsEntry("10.10.1.2 . 10.0.3.50", "li4-in_vpc-" + c + "-0a0a0102");
        assertThat(r.counters()).containsKeys("lc4-" + c + "-0a0a0102", "le4-cross_zone-" + c + "-0a0a0102");
        NftCounterNames names = new NftCounterNames();
        byte[] name = ("li4-cross_zone-" + c + "-0a0a0102").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(names.parse(name, 0, name.length)).isTrue();
        assertThat(names.loadBalancerKind).isEqualTo(LoadBalancerCounter.INGRESS);
        assertThat(names.trafficClass).isEqualTo(TrafficClass.CROSS_ZONE);
        assertThat(names.loadBalancerId).isEqualTo(INDEX.entries().get(0).id());
        assertThat(names.low).isEqualTo(0x0a0a0102L);
        assertThat(NftReconciler.plan(r, NftTableState.ABSENT, java.util.Set.of()))
                .contains("add map inet netcost i4_lb { type ipv4_addr . ipv4_addr : counter; }\n");
    }
}
