package dev.netcost.iptables;

import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_A6;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.NodeTopology.VPC;
import static dev.netcost.iptables.NodeTopology.ZONE;
import static dev.netcost.iptables.NodeTopology.ZONE6;
import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Classes matched through ipsets ({@code iptables.setThreshold}) on the real kernel, in the namespaces
 * of {@link NodeTopology}: traffic lands in the right class through {@code -m set} classification
 * rules on both iptables families (legacy with the native readers), a class list change updates the
 * set without touching the rules (so no counter is reset), a restart adopts rules and sets, a
 * threshold change swaps set rules back to per-CIDR classification rules (counting rules untouched)
 * and destroys the unused sets, cleanup destroys them all.
 */
class IpsetRulesIT {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private NodeTopology topo;
    private final ExporterFixture.Running exporters = new ExporterFixture.Running();

    @AfterEach
    void tearDown() throws Exception {
        exporters.close(); // the exporters, then the topology they ran in
    }

    /** Same zone, other zone and VPC lists with EndpointSlice-like /32 entries besides the subnets. */
    private static List<Cidr> withHosts(String subnet, String hostPrefix) {
        List<String> out = new ArrayList<>();
        out.add(subnet);
        for (int i = 1; i <= 40; i++) {
            out.add(hostPrefix + i);
        }
        return cidrs(out.toArray(String[]::new));
    }

    private IptablesExporter exporter(IptablesFamily family, MutableClusterMetadata md, int setThreshold, boolean cleanup)
            throws Exception {
        return exporters.start(topo.node.path(), md, c -> c.withBackend(ExporterFixture.backend(family))
                .withCleanupOnExit(cleanup).withSetThreshold(setThreshold));
    }

    /** "direction class address packets bytes" per counting rule, as one reader maps the rules. */
    private static List<String> perRule(CounterReader reader) throws Exception {
        RecordingSink sink = new RecordingSink();
        reader.read(sink);
        assertThat(sink.lines).isNotEmpty();
        return sink.lines;
    }

    private String rules(IptablesFamily family) {
        return topo.node.exec(ExporterFixture.iptables(family, false) + "-save", "-t", "mangle")
                .lines().filter(l -> l.startsWith("-A ")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    private String sets() {
        return topo.node.exec("ipset", "save");
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void setRules_countInTheRightClass_andASetUpdateKeepsPodCounters(IptablesFamily family) throws Exception {
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(withHosts("10.10.0.0/16", "10.11.0."), withHosts("10.20.0.0/16", "10.21.0."), withHosts("10.0.0.0/16", "10.1.0."))
                .pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter e = exporter(family, md, 0, false);
        assertThat(e.reader().name()).isEqualTo(family == IptablesFamily.LEGACY ? "sockopt" : "save");
        assertThat(ExporterFixture.collect(e)).hasSize(2 * 2 * 4 * 2);
        String rules = rules(family);
        assertThat(rules)
                .contains("-A NETCOST-EGRESS -m set --match-set NETCOST-4-SAME dst -g NETCOST-E-SAME\n")
                .contains("-A NETCOST-INGRESS -m set --match-set NETCOST-4-CROSS src -g NETCOST-I-CROSS\n")
                .doesNotContain("10.21.0.7");
        assertThat(rules.lines().filter(l -> l.startsWith("-A NETCOST-EGRESS"))).hasSize(4);
        assertThat(sets()).contains("create NETCOST-4-CROSS hash:net family inet ").contains("add NETCOST-4-CROSS 10.21.0.7\n")
                .contains("add NETCOST-4-VPC 10.0.0.0/16\n").doesNotContain("NETCOST-4-CROSS-T");

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));   // A -> other zone
        NodeTopology.tcp(topo.podA, topo.vpc, VPC, 5002, 5002, NodeTopology.payload(dir, MIB));     // A -> VPC
        NodeTopology.tcp(topo.podA, topo.podB, POD_B, 5003, 5003, NodeTopology.payload(dir, MIB));  // A -> B, same zone
        Map<String, Double> m = ExporterFixture.collect(e);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress in_vpc bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress same_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/api-0 ingress same_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/web-0 ingress cross_zone packets")).isPositive();
        assertThat(ExporterFixture.v(m, "shop/web-0 egress internet bytes")).isZero();
        assertThat(perRule(e.reader())).isEqualTo(perRule(new SaveCounterReader(new CommandRunner(topo.node.path(), "nsenter",
                java.time.Duration.ofSeconds(30)), ExporterFixture.iptables(family, false) + "-save",
                new ChainNames("NETCOST"))));

        // The other zone's subnet becomes VPC address space (and new endpoints appear): only the sets change.
        List<Cidr> cross = withHosts("10.30.0.0/16", "10.21.0.");
        List<Cidr> vpc = new ArrayList<>(withHosts("10.0.0.0/16", "10.1.0."));
        vpc.add(Cidr.parse("10.20.0.0/16"));
        md.sets(withHosts("10.10.0.0/16", "10.11.0."), cross, vpc);
        Map<String, Double> after = ExporterFixture.collect(e);
        assertThat(after).isEqualTo(m);
        assertThat(rules(family)).isEqualTo(rules);
        assertThat(sets()).contains("add NETCOST-4-CROSS 10.30.0.0/16\n").doesNotContain("add NETCOST-4-CROSS 10.20.0.0/16\n")
                .contains("add NETCOST-4-VPC 10.20.0.0/16\n").doesNotContain("-T ");

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> later = ExporterFixture.collect(e);
        assertThat(ExporterFixture.v(later, "shop/web-0 egress cross_zone bytes")).isEqualTo(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes"));
        assertThat(ExporterFixture.v(later, "shop/web-0 egress in_vpc bytes") - ExporterFixture.v(m, "shop/web-0 egress in_vpc bytes"))
                .isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(later, "shop/web-0 egress same_zone bytes")).isEqualTo(ExporterFixture.v(m, "shop/web-0 egress same_zone bytes"));
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void restartAdoptsSetRules_thresholdChangeCarriesCountersAndDestroysSets_cleanupRemovesTheRest(IptablesFamily family)
            throws Exception {
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16"), withHosts("10.20.0.0/16", "10.21.0."), cidrs("10.0.0.0/16"))
                .pods(pod("shop", "web-0", POD_A));
        IptablesExporter first = exporter(family, md, 16, false);
        ExporterFixture.collect(first);
        assertThat(sets()).contains("create NETCOST-4-CROSS ").doesNotContain("NETCOST-4-SAME").doesNotContain("NETCOST-4-VPC");
        assertThat(rules(family)).contains("-d 10.10.0.0/16 -g NETCOST-E-SAME")
                .contains("-m set --match-set NETCOST-4-CROSS dst");
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = ExporterFixture.collect(first);
        exporters.stop(first);
        String rulesBefore = rules(family);
        String setsBefore = sets();

        IptablesExporter second = exporter(family, md, 16, false);
        assertThat(ExporterFixture.collect(second)).isEqualTo(before);
        assertThat(rules(family)).isEqualTo(rulesBefore);
        assertThat(sets()).isEqualTo(setsBefore);
        exporters.stop(second);

        // A threshold above the list size: per-CIDR classification again, counting rules untouched, the set destroyed after.
        IptablesExporter third = exporter(family, md, 100, true);
        assertThat(ExporterFixture.collect(third)).isEqualTo(before);
        assertThat(rules(family)).doesNotContain("-m set").contains("-d 10.21.0.7/32 -g NETCOST-E-CROSS");
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");

        IptablesExporter fourth = exporter(family, md, 0, true);
        exporters.stop(third);
        ExporterFixture.collect(fourth);
        assertThat(topo.node.exec("ipset", "list", "-n")).contains("NETCOST-4-SAME").contains("NETCOST-4-CROSS");
        exporters.stop(fourth);
        assertThat(rules(family)).doesNotContain("NETCOST");
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void ipv6ClassesUseTheirOwnInet6Sets_andCleanupDestroysBothFamilies(IptablesFamily family) throws Exception {
        topo = exporters.topology(new NodeTopology(family, true));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16", "fd00:10::/32"), cidrs("10.20.0.0/16", "fd00:20::/32", "fd00:21::7/128"),
                        cidrs("10.0.0.0/16", "fd00::/8"))
                .pods(pod("shop", "web-0", POD_A, POD_A6));
        IptablesExporter e = exporter(family, md, 0, true);
        assertThat(e.reconciler6()).isNotNull();
        ExporterFixture.collect(e);
        String save6 = topo.node.exec(ExporterFixture.iptables(family, true) + "-save", "-t", "mangle");
        assertThat(save6).contains("-A NETCOST-EGRESS -m set --match-set NETCOST-6-CROSS dst -g NETCOST-E-CROSS")
                .doesNotContain("NETCOST-4-");
        assertThat(sets()).contains("create NETCOST-6-CROSS hash:net family inet6 ").contains("add NETCOST-6-CROSS fd00:21::7\n")
                .contains("create NETCOST-4-CROSS hash:net family inet ");

        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> m = ExporterFixture.collect(e);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress in_vpc bytes")).isZero();

        exporters.stop(e);
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");
    }
}
