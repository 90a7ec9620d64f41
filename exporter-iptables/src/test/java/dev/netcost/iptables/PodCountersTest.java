package dev.netcost.iptables;

import dev.netcost.core.testing.MutableClusterMetadata;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodCountersTest {
    private final ChainNames names = new ChainNames("NETCOST");
    private final PodCounters counters = new PodCounters(names);

    private Map<Labels, Double> read(MutableClusterMetadata md, Runnable rules) {
        counters.begin();
        rules.run();
        Map<Labels, Double> out = new LinkedHashMap<>();
        counters.emit(md, (l, v, ts) -> out.put(l, v));
        return out;
    }

    @Test
    void sumsRulesPerClass_andLabelsThemWithPodNodeZoneWorkloadDirectionAndClass() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", "10.10.1.2"));
        Map<Labels, Double> out = read(md, () -> {
            counters.rule("NETCOST-E-0A0A0102", "cross_zone shop/web-0", 2, 200);
            counters.rule("NETCOST-E-0A0A0102", "cross_zone shop/web-0", 3, 300);
            counters.rule("NETCOST-E-0A0A0102", "internet shop/web-0", 0, 0);
            counters.rule("NETCOST-E-0A0A0102", null, 9, 900);
            counters.rule("NETCOST-E-0A0A0102", "bogus shop/web-0", 9, 900);
        });
        assertThat(out).containsEntry(Labels.of(PodCounters.BYTES, "namespace", "shop", "pod", "web-0", "node", "node-1",
                        "zone", "zone-a", "workload", "web", "workload_kind", "Deployment", "direction", "egress",
                        "class", "cross_zone"), 500.0)
                .containsEntry(Labels.of(PodCounters.PACKETS, "namespace", "shop", "pod", "web-0", "node", "node-1",
                        "zone", "zone-a", "workload", "web", "workload_kind", "Deployment", "direction", "egress",
                        "class", "internet"), 0.0)
                .hasSize(4);
    }

    @Test
    void reportsNothingForChainsOfAnotherPod_unknownIps_andChainsGoneSinceTheLastRead() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "").pods(pod("shop", "new-0", "10.10.1.2"));
        assertThat(read(md, () -> counters.rule("NETCOST-E-0A0A0102", "internet shop/old-0", 1, 1))).isEmpty();
        assertThat(read(md, () -> counters.rule("NETCOST-E-0A0A0109", "internet shop/x", 1, 1))).isEmpty();
        assertThat(read(md, () -> counters.rule("NETCOST-I-0A0A0102", "internet shop/new-0", 1, 1))).hasSize(2);
        assertThat(read(md, () -> { })).isEmpty();
    }

    @Test
    void aRulesClassFollowsItsComment_whenTheReaderReusesTheStringAndWhenItChanges() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", "10.10.1.2"));
        String chain = "NETCOST-E-0A0A0102";
        String same = "same_zone shop/web-0";
        String foreign = "not ours";
        Map<Labels, Double> first = read(md, () -> {
            counters.rule(chain, foreign, 1, 10);
            counters.rule(chain, same, 1, 20);
        });
        assertThat(first.values()).containsExactly(20.0, 1.0);
        Map<Labels, Double> again = read(md, () -> { // same Strings, same positions: remembered classes
            counters.rule(chain, foreign, 1, 10);
            counters.rule(chain, same, 2, 40);
        });
        assertThat(again.values()).containsExactly(40.0, 2.0);
        Map<Labels, Double> changed = read(md, () -> { // the rules were replaced: classes looked up again
            counters.rule(chain, "internet shop/web-0", 3, 30);
            counters.rule(chain, foreign, 1, 10);
        });
        assertThat(changed.keySet()).allSatisfy(l -> assertThat(l.toString()).contains("class=\"internet\""));
        assertThat(changed.values()).containsExactly(30.0, 3.0);
        assertThat(read(md, () -> counters.rule(chain, foreign, 1, 10))).isEmpty();
    }

    @Test
    void addsADualStackPodsIpv6CountersToItsIpv4Series_andReportsIpv6OnlyPodsAlone() {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .pods(pod("shop", "web-0", "10.10.1.2", "fd00::2"), pod("shop", "six-0", "fd00::3"));
        String v6 = names.podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00::2"));
        String v6Only = names.podChain6(Direction.INGRESS, ChainNames.parseIpv6("fd00::3"));
        Map<Labels, Double> out = read(md, () -> {
            counters.rule("NETCOST-E-0A0A0102", "same_zone shop/web-0", 1, 100);
            counters.rule("NETCOST-E-0A0A0102", "internet shop/web-0", 1, 10);
            counters.rule(v6, "same_zone shop/web-0", 2, 1000);
            counters.rule(v6, "cross_zone shop/web-0", 3, 3000);
            counters.rule(v6Only, "internet shop/six-0", 4, 4000);
            counters.rule(names.podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00::99")), "internet shop/x", 5, 5);
        });
        assertThat(out).hasSize(8)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "same_zone"), 1100.0)
                .containsEntry(series(PodCounters.PACKETS, "web", "web-0", "egress", "same_zone"), 3.0)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "cross_zone"), 3000.0)
                .containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "internet"), 10.0)
                .containsEntry(series(PodCounters.BYTES, "six", "six-0", "ingress", "internet"), 4000.0);
        // The next read starts from the kernel's counters again: nothing carried over from the merge.
        Map<Labels, Double> next = read(md, () -> counters.rule("NETCOST-E-0A0A0102", "same_zone shop/web-0", 1, 100));
        assertThat(next).hasSize(2).containsEntry(series(PodCounters.BYTES, "web", "web-0", "egress", "same_zone"), 100.0);
    }

    private static Labels series(String metric, String workload, String pod, String direction, String cls) {
        return Labels.of(metric, "namespace", "shop", "pod", pod, "node", "node-1", "zone", "zone-a", "workload", workload,
                "workload_kind", "Deployment", "direction", direction, "class", cls);
    }

    @Test
    void valuesAreUnsigned64Bit() {
        assertThat(PodCounters.unsigned(-1L)).isEqualTo(18446744073709551615.0);
        assertThat(PodCounters.unsigned(Long.MAX_VALUE)).isEqualTo(9.223372036854775807E18);
        assertThat(PodCounters.unsigned(7)).isEqualTo(7.0);
    }
}
