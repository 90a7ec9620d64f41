package dev.netcost.iptables;

import static dev.netcost.iptables.NodeTopology.INTERNET6;
import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_A6;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.NodeTopology.POD_B6;
import static dev.netcost.iptables.NodeTopology.POD_C6;
import static dev.netcost.iptables.NodeTopology.ZONE;
import static dev.netcost.iptables.NodeTopology.ZONE6;
import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import dev.netcost.iptables.ExporterFixture.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * IPv6 against the real kernel: the dual-stack {@link NodeTopology}, the exporter keeping its
 * ip6tables rules in the "node" namespace next to the iptables ones. Run in every {@link Mode}.
 */
class IptablesExporterIpv6IT {
    private static final int MIB = 1024 * 1024;
    private static final int TEN_MIB = 10 * MIB;

    @TempDir
    Path dir;

    private NodeTopology topo;
    private final ExporterFixture.Running exporters = new ExporterFixture.Running();

    @AfterEach
    void tearDown() throws Exception {
        exporters.close(); // the exporters, then the topology they ran in
    }

    private static MutableClusterMetadata metadata() {
        return TestMetadata.of("node-1", "zone-a").sets(cidrs("10.10.0.0/16", "fd00:10::/32"),
                cidrs("10.20.0.0/16", "fd00:20::/32"), cidrs("10.0.0.0/16", "fd00::/8"));
    }

    private IptablesExporter exporter(Mode mode, MutableClusterMetadata md, boolean cleanup) throws Exception {
        IptablesExporter e = exporters.start(topo.node.path(), md, c -> {
            assertThat(c.ipv6()).as("IPv6 is on by default").isTrue();
            return c.withBackend(mode.backend).withCleanupOnExit(cleanup);
        });
        assertThat(e.reconciler6().family()).isEqualTo(mode.family);
        assertThat(e.reader6().name()).isEqualTo(mode.reader6);
        return e;
    }

    private String save6(IptablesFamily family) {
        return topo.node.exec(ExporterFixture.iptables(family, true) + "-save", "-c", "-t", "mangle")
                .replaceAll("(?m)^#.*\n", "");
    }

    /** The built-in chains' policy counters (nft prints them) move with any traffic. */
    private static String withoutCounters(String save) {
        return save.replaceAll("\\[\\d+:\\d+\\]", "[0:0]");
    }

    private static Map<String, Double> egress(Map<String, Double> m) {
        Map<String, Double> out = new TreeMap<>(m);
        out.keySet().removeIf(k -> !k.contains(" egress "));
        return out;
    }

    private static void assertBetween(Map<String, Double> m, String series, double payload) {
        assertThat(ExporterFixture.v(m, series + " bytes")).as(series + " bytes").isBetween(payload, payload * 1.1);
        assertThat(ExporterFixture.v(m, series + " packets")).as(series + " packets").isPositive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void countsIpv6Traffic_byPodDirectionAndClass_andSumsADualStackPodsFamiliesIntoOneSeries(Mode mode)
            throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family, true));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A, POD_A6), pod("shop", "api-0", POD_B, POD_B6),
                pod("shop", "six-0", POD_C6));
        IptablesExporter e = exporter(mode, md, false);
        assertThat(ExporterFixture.collect(e)).containsEntry("shop/six-0 egress internet bytes", 0.0).hasSize(3 * 2 * 4 * 2);
        assertThat(save6(family)).contains("-A NETCOST-E-CROSS -s fd00:10:1::2/128 -j RETURN")
                .contains("-A NETCOST-EGRESS -d fd00:20::/32 -g NETCOST-E-CROSS")
                .contains("-A POSTROUTING -m comment --comment netcost -j NETCOST");

        Path tenMib = NodeTopology.payload(dir, TEN_MIB);
        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 6001, tenMib);                 // A -> other zone, v6
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, tenMib);            // A -> other zone, v4: same series
        NodeTopology.tcp6(topo.zone, topo.podA, POD_A6, 6002, tenMib);                // other zone -> A
        NodeTopology.tcp6(topo.podB, topo.internet, INTERNET6, 6003, tenMib);          // B -> internet
        NodeTopology.tcp6(topo.podC, topo.podB, POD_B6, 6004, tenMib);                 // C (v6 only) -> B, same node

        Map<String, Double> m = ExporterFixture.collect(e);
        assertBetween(m, "shop/web-0 egress cross_zone", 2.0 * TEN_MIB);
        assertBetween(m, "shop/web-0 ingress cross_zone", TEN_MIB);
        assertBetween(m, "shop/api-0 egress internet", TEN_MIB);
        assertBetween(m, "shop/six-0 egress same_zone", TEN_MIB);
        assertBetween(m, "shop/api-0 ingress same_zone", TEN_MIB);
        assertThat(ExporterFixture.v(m, "shop/six-0 egress internet bytes")).isZero();
        assertThat(ExporterFixture.v(m, "shop/api-0 ingress internet bytes")).isPositive().isLessThan(TEN_MIB / 10.0); // ACKs
        // Both families really counted: the IPv4 chain alone holds about half of web-0's cross-zone bytes.
        assertThat(topo.node.exec(ExporterFixture.iptables(family, false) + "-save", "-c", "-t", "mangle"))
                .containsPattern("\\[\\d+:(\\d{8})\\] -A NETCOST-E-CROSS -s 10\\.10\\.1\\.2/32 -j RETURN");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void ipv6Rules_surviveRestart_areRepairedAfterAnExternalRestore_followChurn_andAreCleanedUp(Mode mode)
            throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family, true));
        String untouched = withoutCounters(save6(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A, POD_A6), pod("shop", "six-0", POD_C6));
        IptablesExporter first = exporter(mode, md, false);
        ExporterFixture.collect(first);
        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 6001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = ExporterFixture.collect(first);
        assertBetween(before, "shop/web-0 egress cross_zone", MIB);
        exporters.stop(first);
        String rulesBefore = withoutCounters(save6(family));

        // Restart: the chains and their counters are adopted, nothing rewritten. Only egress is compared
        // exactly: the node's own neighbour-discovery probes to a pod's address may add to its ingress.
        IptablesExporter second = exporter(mode, md, false);
        assertThat(egress(ExporterFixture.collect(second))).isEqualTo(egress(before)).isNotEmpty();
        assertThat(withoutCounters(save6(family))).isEqualTo(rulesBefore);

        // An external restore of the mangle table without netcost's jump (and without -c: every counter restarts
        // from zero, as with such a tool on a real node): repaired next cycle.
        String prefix = ExporterFixture.iptables(family, true);
        topo.node.exec("sh", "-c", prefix + "-save -t mangle | grep -v -- '-j NETCOST$' | " + prefix + "-restore -w 5 -T mangle");
        assertThat(save6(family)).doesNotContain("-j NETCOST\n");
        ExporterFixture.collect(second);
        assertThat(save6(family).lines().filter(l -> l.endsWith("-A POSTROUTING -m comment --comment netcost -j NETCOST")))
                .hasSize(1);
        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 6001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(second), "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);

        // Churn: six-0 goes, its chains go; web-0's counters run on.
        Map<String, Double> kept = ExporterFixture.collect(second);
        md.pods(pod("shop", "web-0", POD_A, POD_A6));
        Map<String, Double> m = ExporterFixture.collect(second);
        assertThat(m.keySet()).noneMatch(k -> k.startsWith("shop/six-0"));
        assertThat(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes")).isEqualTo(kept.get("shop/web-0 egress cross_zone bytes"));
        assertThat(save6(family)).doesNotContain("fd00:10:3::2/128").contains("-A NETCOST-E-CROSS -s fd00:10:1::2/128 -j RETURN");

        // No pod with an IPv6 address left: no IPv6 rules at all, not even the jump.
        md.pods(pod("shop", "web-0", POD_A));
        ExporterFixture.collect(second);
        assertThat(withoutCounters(save6(family))).isEqualTo(untouched);

        // cleanupOnExit removes the IPv6 rules too.
        md.pods(pod("shop", "web-0", POD_A, POD_A6));
        ExporterFixture.collect(second);
        assertThat(save6(family)).contains(":NETCOST");
        exporters.stop(second);
        IptablesExporter clean = exporter(mode, md, true);
        ExporterFixture.collect(clean);
        exporters.stop(clean);
        assertThat(withoutCounters(save6(family))).isEqualTo(untouched).doesNotContain("NETCOST");
    }
}
