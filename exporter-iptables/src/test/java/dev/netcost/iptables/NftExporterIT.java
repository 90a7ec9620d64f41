package dev.netcost.iptables;

import static dev.netcost.iptables.NodeTopology.CLUSTER_IP;
import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_A6;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.NodeTopology.ZONE;
import static dev.netcost.iptables.NodeTopology.ZONE6;
import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter with the {@code nft} backend (netcost's own {@code inet netcost} table) against the
 * real kernel, in the namespaces of {@link NodeTopology} whose NAT rules live in iptables-nft, as on
 * a node where kube-proxy uses iptables-nft: samples by pod, restart, repair, cleanup, upgrade from
 * iptables-nft chains, and the fallback when nft is missing.
 */
class NftExporterIT {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private NodeTopology topo;
    private final ExporterFixture.Running exporters = new ExporterFixture.Running();

    @AfterEach
    void tearDown() throws Exception {
        exporters.close(); // the exporters, then the topology they ran in
    }

    private static MutableClusterMetadata metadata() {
        return TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16", "fd00:10::/32"), cidrs("10.20.0.0/16", "fd00:20::/32"), cidrs("10.0.0.0/16"));
    }

    private IptablesExporter exporter(MutableClusterMetadata md, UnaryOperator<IptablesConfig> configure) throws Exception {
        return exporters.start(topo.node.path(), md, c -> configure.apply(c.withBackend(IptablesBackend.NFT)));
    }

    private IptablesExporter exporter(MutableClusterMetadata md) throws Exception {
        IptablesExporter e = exporter(md, UnaryOperator.identity());
        assertThat(e.tables()).isInstanceOf(NftTables.class);
        return e;
    }

    private String ruleset() {
        return topo.node.exec("nft", "list", "ruleset");
    }

    private static double v(Map<String, Double> m, String key) {
        return ExporterFixture.v(m, key);
    }

    @Test
    void countsPodTraffic_byDirectionAndClass_ipv4AndIpv6InOneSeries() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT, true));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A, POD_A6), pod("shop", "api-0", POD_B));
        IptablesExporter e = exporter(md);
        Map<String, Double> before = ExporterFixture.collect(e);
        // 2 pods x 2 directions x 4 classes (VPC: IPv4 only) x bytes/packets
        assertThat(before).hasSize(2 * 2 * 4 * 2).containsEntry("shop/web-0 egress cross_zone bytes", 0.0);

        Path mib = NodeTopology.payload(dir, MIB);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, mib);          // A -> other zone over IPv4
        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 5002, mib);              // ... and over IPv6
        NodeTopology.tcp(topo.podB, topo.zone, CLUSTER_IP, 80, 5002, mib);      // B -> ClusterIP, DNAT to the other zone

        Map<String, Double> m = ExporterFixture.collect(e);
        assertThat(v(m, "shop/web-0 egress cross_zone bytes")).isBetween(2.0 * MIB, 2.2 * MIB);
        assertThat(v(m, "shop/api-0 egress cross_zone bytes")).isBetween((double) MIB, 1.1 * MIB);
        assertThat(v(m, "shop/web-0 ingress cross_zone packets")).isPositive();
        assertThat(v(m, "shop/web-0 egress internet bytes")).isZero();
        assertThat(v(m, "shop/api-0 egress internet bytes")).isZero();
    }

    @Test
    void restart_adoptsTheCounters_andPodChurnKeepsTheOthers() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter first = exporter(md);
        ExporterFixture.collect(first);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = ExporterFixture.collect(first);
        exporters.stop(first);

        IptablesExporter second = exporter(md);
        assertThat(ExporterFixture.collect(second)).isEqualTo(before);

        md.pods(pod("shop", "web-0", POD_A)); // api-0 is gone
        Map<String, Double> afterChurn = ExporterFixture.collect(second);
        assertThat(afterChurn.keySet()).noneMatch(k -> k.startsWith("shop/api-0"));
        assertThat(afterChurn.get("shop/web-0 egress cross_zone bytes")).isEqualTo(before.get("shop/web-0 egress cross_zone bytes"));
        assertThat(ruleset()).doesNotContain("0a0a0103");

        md.pods(pod("shop", "new-0", POD_A)); // web-0's address now belongs to another pod: it starts from zero
        assertThat(ExporterFixture.collect(second)).containsEntry("shop/new-0 egress cross_zone bytes", 0.0);
    }

    @Test
    void deletedTable_isRestoredInTheNextCycle() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)));
        ExporterFixture.collect(e);
        topo.node.exec("nft", "delete", "table", "inet", "netcost");

        ExporterFixture.collect(e); // sees the table gone and reconciles
        assertThat(ruleset()).contains("table inet netcost").contains("hook postrouting");
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, 1.1 * MIB);
    }

    @Test
    void externalIptablesRestores_leaveTheTableCounting() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)));
        ExporterFixture.collect(e);
        String table = topo.node.exec("nft", "list", "table", "inet", "netcost");
        // What kube-proxy or a CNI does: rewrite whole iptables-nft tables from a dump (no --noflush).
        topo.node.exec("sh", "-c", "iptables-nft-save -t mangle | iptables-nft-restore -w 5 -T mangle");
        topo.node.exec("sh", "-c", "iptables-nft-save -t nat | iptables-nft-restore -w 5 -T nat");
        assertThat(topo.node.exec("nft", "list", "table", "inet", "netcost")).isEqualTo(table);

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, 1.1 * MIB);
    }

    @Test
    void cleanupOnExit_removesTheTableAndOnlyIt() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        String untouched = ruleset();
        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)), c -> c.withCleanupOnExit(true));
        ExporterFixture.collect(e);
        assertThat(ruleset()).contains("table inet netcost");
        exporters.stop(e);
        assertThat(ruleset()).isEqualTo(untouched).doesNotContain("netcost");
    }

    @Test
    void cleanupOnUninstall_removesTheTable_whenTheDaemonSetIsDeleted_butNotOnARestart() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        String untouched = ruleset();
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter restarted = exporter(md, c -> c);
        ExporterFixture.collect(restarted);
        exporters.stop(restarted);
        assertThat(ruleset()).contains("table inet netcost");

        IptablesExporter uninstalled = exporter(md.removedFromNode(true), c -> c);
        ExporterFixture.collect(uninstalled);
        exporters.stop(uninstalled);
        assertThat(ruleset()).isEqualTo(untouched).doesNotContain("netcost");
    }

    @Test
    void start_removesChainsAnEarlierVersionLeftInIptablesNft() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        topo.node.execWithInput("*mangle\n:NETCOST - [0:0]\n:NETCOST-E-0A0A0102 - [0:0]\n"
                        + "-A POSTROUTING -m comment --comment netcost -j NETCOST\n-A NETCOST -s 10.10.1.2/32 -j NETCOST-E-0A0A0102\n"
                        + "-A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN\nCOMMIT\n",
                "iptables-nft-restore", "--noflush", "-w", "5");
        String natBefore = topo.node.exec("iptables-nft-save", "-t", "nat").replaceAll("(?m)^#.*\n", "");

        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)));
        assertThat(ExporterFixture.collect(e)).containsEntry("shop/web-0 egress internet bytes", 0.0);
        assertThat(topo.node.exec("iptables-nft-save", "-t", "mangle")).doesNotContain("NETCOST");
        assertThat(topo.node.exec("iptables-nft-save", "-t", "nat").replaceAll("(?m)^#.*\n", "")).isEqualTo(natBefore);
    }

    @Test
    void autoOnAnIptablesNftNode_usesTheNftTable() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)), c -> c.withBackend(IptablesBackend.AUTO));
        assertThat(e.tables()).isInstanceOf(NftTables.class);
        assertThat(e.tables().description()).contains("inet netcost").contains("netlink");
    }

    @Test
    void withoutTheNftProgram_fallsBackToIptablesNftRulesReadWithSave() throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.NFT));
        IptablesExporter e = exporter(metadata().pods(pod("shop", "web-0", POD_A)), c -> c.withCommands(
                c.commands().withNft("/nonexistent/nft")));
        assertThat(e.tables()).isInstanceOf(IptablesTables.class);
        assertThat(e.reconciler().family()).isEqualTo(IptablesFamily.NFT);
        assertThat(e.reader().name()).isEqualTo("save");
        ExporterFixture.collect(e);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, 1.1 * MIB);
        assertThat(ruleset()).doesNotContain("table inet netcost");
    }
}
