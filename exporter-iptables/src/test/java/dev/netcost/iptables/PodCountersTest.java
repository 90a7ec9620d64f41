package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.model.Labels;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PodCountersTest {
    private static final Direction E = Direction.EGRESS;
    private static final Direction I = Direction.INGRESS;

    private final PodCounters counters = new PodCounters();

    private Map<Labels, Double> read(MutableClusterMetadata md, Consumer<PodCounters> rules) {
        counters.begin(md);
        rules.accept(counters);
        Map<Labels, Double> out = new LinkedHashMap<>();
        counters.emit((l, v, ts) -> assertThat(out.put(l, v)).as("one sample per series").isNull());
        return out;
    }

    private static int v4(String ip) {
        return ChainNames.parseIpv4(ip);
    }

    private static long[] v6(String ip) {
        ByteBuffer b = ByteBuffer.wrap(ChainNames.parseIpv6(ip));
        return new long[] {b.getLong(), b.getLong()};
    }

    private static void ipv6(PodCounters c, Direction d, TrafficClass cls, String ip, long packets, long bytes) {
        long[] a = v6(ip);
        c.ipv6(d, cls, a[0], a[1], packets, bytes);
    }

    @Test
    void sumsCountersPerPodDirectionAndClass_andLabelsThemWithPodNodeZoneWorkloadDirectionAndClass() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", "10.10.1.2"));
        Map<Labels, Double> out = read(md, c -> {
            c.ipv4(E, TrafficClass.CROSS_ZONE, v4("10.10.1.2"), 2, 200);
            c.ipv4(E, TrafficClass.CROSS_ZONE, v4("10.10.1.2"), 3, 300); // a duplicate rule: both count
            c.ipv4(E, TrafficClass.INTERNET, v4("10.10.1.2"), 0, 0);
        });
        assertThat(out).containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "cross_zone"), 500.0)
                .containsEntry(series(PodCounters.PACKETS, "web", "web-0", "egress", "cross_zone"), 5.0)
                .containsEntry(series(PodCounters.PACKETS, "web", "web-0", "egress", "internet"), 0.0)
                .hasSize(4);
        assertThat(out.keySet().iterator().next()).isEqualTo(Labels.of(PodCounters.BYTES, "namespace", "shop", "pod", "web-0",
                "node", "node-1", "zone", "zone-a", "workload", "web", "workload_kind", "Deployment", "direction", "egress",
                "class", "cross_zone"));
    }

    @Test
    void reportsNothingForAddressesWithoutAPod_hostNetworkPods_orSeriesNotSeenInThisRead() {
        PodInfo host = new PodInfo("kube-system", "proxy", "", List.of("10.10.1.9"), true, Map.of(), "", "");
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", "10.10.1.2"), host);
        assertThat(read(md, c -> c.ipv4(E, TrafficClass.INTERNET, v4("10.10.1.7"), 1, 1))).isEmpty();
        assertThat(read(md, c -> c.ipv4(E, TrafficClass.INTERNET, v4("10.10.1.9"), 1, 1))).isEmpty();
        assertThat(read(md, c -> c.ipv4(I, TrafficClass.INTERNET, v4("10.10.1.2"), 1, 1))).hasSize(2);
        assertThat(read(md, c -> { })).isEmpty();
    }

    @Test
    void followsTheMetadata_whenItsGenerationChanges() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "old-0", "10.10.1.2"));
        assertThat(read(md, c -> c.ipv4(E, TrafficClass.IN_VPC, v4("10.10.1.2"), 1, 10)))
                .containsOnlyKeys(series(PodCounters.BYTES, "old", "old-0", "egress", "in_vpc"),
                        series(PodCounters.PACKETS, "old", "old-0", "egress", "in_vpc"));
        md.pods(pod("shop", "new-0", "10.10.1.2"), pod("shop", "other-0", "10.10.1.3"));
        Map<Labels, Double> out = read(md, c -> {
            c.ipv4(E, TrafficClass.IN_VPC, v4("10.10.1.2"), 1, 10);
            c.ipv4(E, TrafficClass.IN_VPC, v4("10.10.1.3"), 2, 20);
        });
        assertThat(out).containsEntry(series(PodCounters.BYTES, "new", "new-0", "egress", "in_vpc"), 10.0)
                .containsEntry(series(PodCounters.BYTES, "other", "other-0", "egress", "in_vpc"), 20.0).hasSize(4);
    }

    @Test
    void aSharedAddress_belongsToTheFirstPodByName_asForTheRules() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .pods(pod("shop", "b-0", "10.10.1.2"), pod("shop", "a-0", "10.10.1.2"));
        assertThat(read(md, c -> c.ipv4(E, TrafficClass.INTERNET, v4("10.10.1.2"), 1, 10)))
                .containsKey(series(PodCounters.BYTES, "a", "a-0", "egress", "internet")).hasSize(2);
    }

    @Test
    void addsADualStackPodsIpv6CountersToItsIpv4Series_andReportsIpv6OnlyPodsAlone() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .pods(pod("shop", "web-0", "10.10.1.2", "fd00::2"), pod("shop", "six-0", "fd00::3"));
        Map<Labels, Double> out = read(md, c -> {
            c.ipv4(E, TrafficClass.SAME_ZONE, v4("10.10.1.2"), 1, 100);
            c.ipv4(E, TrafficClass.INTERNET, v4("10.10.1.2"), 1, 10);
            ipv6(c, E, TrafficClass.SAME_ZONE, "fd00::2", 2, 1000);
            ipv6(c, E, TrafficClass.CROSS_ZONE, "fd00::2", 3, 3000);
            ipv6(c, I, TrafficClass.INTERNET, "fd00::3", 4, 4000);
            ipv6(c, E, TrafficClass.INTERNET, "fd00::99", 5, 5);
        });
        assertThat(out).hasSize(8)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "same_zone"), 1100.0)
                .containsEntry(series(PodCounters.PACKETS, "web", "web-0", "egress", "same_zone"), 3.0)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "cross_zone"), 3000.0)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "internet"), 10.0)
                .containsEntry(series(PodCounters.BYTES, "six", "six-0", "ingress", "internet"), 4000.0);
        // The next read starts from the kernel's counters again: nothing carried over.
        Map<Labels, Double> next = read(md, c -> c.ipv4(E, TrafficClass.SAME_ZONE, v4("10.10.1.2"), 1, 100));
        assertThat(next).hasSize(2).containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "same_zone"), 100.0);
    }

    @Test
    void manyPods_areAllFound_andLabelsAreReusedBetweenReads() {
        PodInfo[] pods = new PodInfo[600];
        for (int i = 0; i < pods.length; i++) {
            pods[i] = pod("ns", "p-" + i, "10." + (i >> 8) + "." + (i & 0xFF) + ".1", "fd00::" + Integer.toHexString(i + 1));
        }
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pods);
        Consumer<PodCounters> rules = c -> {
            for (int i = 0; i < pods.length; i++) {
                c.ipv4(E, TrafficClass.INTERNET, v4("10." + (i >> 8) + "." + (i & 0xFF) + ".1"), 1, i);
                ipv6(c, E, TrafficClass.INTERNET, "fd00::" + Integer.toHexString(i + 1), 1, i);
            }
        };
        Map<Labels, Double> first = read(md, rules);
        assertThat(first).hasSize(2 * pods.length)
                .containsEntry(series(PodCounters.BYTES, "ns", "p", "p-599", "egress", "internet"), 2.0 * 599);
        Map<Labels, Double> second = read(md, rules);
        assertThat(second).isEqualTo(first);
        assertThat(second.keySet().iterator().next()).isSameAs(first.keySet().iterator().next());
    }

    private static Labels series(String metric, String workload, String pod, String direction, String cls) {
        return series(metric, "shop", workload, pod, direction, cls);
    }

    private static Labels series(String metric, String namespace, String workload, String pod, String direction, String cls) {
        return Labels.of(metric, "namespace", namespace, "pod", pod, "node", "node-1", "zone", "zone-a", "workload", workload,
                "workload_kind", "Deployment", "direction", direction, "class", cls);
    }

    @Test
    void valuesAreUnsigned64Bit() {
        assertThat(PodCounters.unsigned(-1L)).isEqualTo(18446744073709551615.0);
        assertThat(PodCounters.unsigned(Long.MAX_VALUE)).isEqualTo(9.223372036854775807E18);
        assertThat(PodCounters.unsigned(7)).isEqualTo(7.0);
    }

    @Test
    void loadBalancerCounters_becomeSeriesOnceNonZero_andTheirSumIsThePodsLoadBalancerClass() {
        dev.netcost.core.k8s.LoadBalancer alb = new dev.netcost.core.k8s.LoadBalancer("k8s-alb", dev.netcost.core.k8s.LoadBalancerType.APPLICATION,
                "", List.of(new dev.netcost.core.k8s.LoadBalancer.Address("10.0.1.50", "zone-a")));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", "10.10.1.2")).loadBalancers(alb);
        int id = LoadBalancerIndex.id("k8s-alb");
        Map<Labels, Double> out = read(md, c -> {
            c.loadBalancer4(LoadBalancerCounter.INGRESS, TrafficClass.SAME_ZONE, id, v4("10.10.1.2"), 10, 1000);
            c.loadBalancer4(LoadBalancerCounter.INGRESS, TrafficClass.CROSS_ZONE, id, v4("10.10.1.2"), 1, 100);
            c.loadBalancer4(LoadBalancerCounter.EGRESS, TrafficClass.SAME_ZONE, id, v4("10.10.1.2"), 0, 0);
            c.loadBalancer4(LoadBalancerCounter.CONNECTIONS, null, id, v4("10.10.1.2"), 3, 180);
            c.loadBalancer4(LoadBalancerCounter.CONNECTIONS, null, id ^ 1, v4("10.10.1.2"), 5, 300); // an unknown load balancer
            c.loadBalancer4(LoadBalancerCounter.INGRESS, TrafficClass.SAME_ZONE, id, v4("10.10.9.9"), 7, 700); // no such pod
        });
        Map<String, Double> byName = new java.util.TreeMap<>();
        out.forEach((l, v) -> byName.put(l.metricName() + " " + l.get("direction") + " " + l.get("class") + " "
                + l.get("load_balancer") + " " + l.get("load_balancer_type"), v));
        assertThat(byName).containsExactlyInAnyOrderEntriesOf(Map.of(
                PodCounters.BYTES + " ingress load_balancer null null", 1100.0,
                PodCounters.PACKETS + " ingress load_balancer null null", 11.0,
                PodCounters.BYTES + " egress load_balancer null null", 0.0,
                PodCounters.PACKETS + " egress load_balancer null null", 0.0,
                PodCounters.LB_BYTES + " ingress same_zone k8s-alb application", 1000.0,
                PodCounters.LB_BYTES + " ingress cross_zone k8s-alb application", 100.0,
                PodCounters.LB_CONNECTIONS + " null null k8s-alb application", 3.0));
        Labels conn = out.keySet().stream().filter(l -> l.metricName().equals(PodCounters.LB_CONNECTIONS)).findFirst().orElseThrow();
        assertThat(conn.get("namespace")).isEqualTo("shop");
        assertThat(conn.get("workload")).isEqualTo("web");
        assertThat(conn.get("zone")).isEqualTo("zone-a");
    }

    @Test
    void podsOutsideTheTargets_haveTheirLoadBalancerClassFromTheClassCounter_andNoLoadBalancerSeries() {
        dev.netcost.core.k8s.LoadBalancer alb = new dev.netcost.core.k8s.LoadBalancer("k8s-alb", dev.netcost.core.k8s.LoadBalancerType.APPLICATION,
                "", List.of(new dev.netcost.core.k8s.LoadBalancer.Address("10.0.1.50", "zone-a")),
                dev.netcost.core.k8s.LoadBalancer.Targets.of(List.of(new dev.netcost.core.k8s.LoadBalancer.Target("shop", Map.of()))));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .pods(pod("shop", "web-0", "10.10.1.2"), pod("search", "idx-0", "10.10.1.4")).loadBalancers(alb);
        int id = LoadBalancerIndex.id("k8s-alb");
        Map<Labels, Double> out = read(md, c -> {
            c.loadBalancer4(LoadBalancerCounter.INGRESS, TrafficClass.SAME_ZONE, id, v4("10.10.1.2"), 10, 1000);
            c.ipv4(I, TrafficClass.LOAD_BALANCER, v4("10.10.1.4"), 2, 200); // NETCOST-I-LB / i4-load_balancer-0a0a0104
            c.ipv4(I, TrafficClass.LOAD_BALANCER, v4("10.10.1.2"), 1, 50); // a target pod with a class counter too: summed
        });
        assertThat(out).containsEntry(series(PodCounters.BYTES, "search", "idx", "idx-0", "ingress", "load_balancer"), 200.0)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "ingress", "load_balancer"), 1050.0);
        assertThat(out.keySet()).filteredOn(l -> l.metricName().equals(PodCounters.LB_BYTES))
                .extracting(l -> l.get("pod")).containsExactly("web-0");
    }
}
