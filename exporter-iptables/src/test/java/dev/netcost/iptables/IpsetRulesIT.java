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

import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import dev.netcost.core.testing.MutableClusterMetadata;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Classes matched through ipsets ({@code iptables.setThreshold}) on the real kernel, in the namespaces
 * of {@link NodeTopology}: traffic lands in the right class through {@code -m set} rules on both
 * iptables families and with the native readers, a class list change updates the set without touching
 * the rules (so no counter is reset), a restart adopts rules and sets, a threshold change swaps set
 * rules back to per-CIDR rules (counters carried) and destroys the unused sets, cleanup destroys them all.
 */
class IpsetRulesIT {
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private NodeTopology topo;
    private final List<IptablesExporter> exporters = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (IptablesExporter e : exporters) {
            e.close();
        }
        if (topo != null) {
            topo.close(); // deleting the node namespace destroys its sets too
        }
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
        List<ExporterFactory<?>> factories = List.of(new IptablesExporterFactory());
        var agent = new ConfigLoader(Map.of(), factories).loadString("nodeName: node-1\n");
        IptablesConfig config = agent.exporterConfig("iptables", IptablesConfig.class)
                .withNetns(topo.node.path())
                .withBackend(family == IptablesFamily.LEGACY ? IptablesBackend.LEGACY : IptablesBackend.NFT)
                .withCleanupOnExit(cleanup)
                .withSetThreshold(setThreshold);
        IptablesExporter e = new IptablesExporter(config, new ExporterContext(agent, new SimpleMeterRegistry(),
                Clock.systemUTC(), md));
        exporters.add(e);
        e.start();
        return e;
    }

    private static Map<String, Double> collect(IptablesExporter e) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        e.collect((Labels labels, double value, long ts) -> out.put(labels.get("namespace") + "/" + labels.get("pod") + " "
                + labels.get("direction") + " " + labels.get("class") + " "
                + (labels.metricName().equals(PodCounters.BYTES) ? "bytes" : "packets"), value));
        return out;
    }

    private static double v(Map<String, Double> m, String key) {
        assertThat(m).containsKey(key);
        return m.get(key);
    }

    /** chain + comment (rule position within the chain) → packets:bytes, as one reader maps the rules. */
    private static Map<String, String> perRule(CounterReader reader) throws Exception {
        Map<String, String> out = new TreeMap<>();
        reader.read((chain, comment, packets, bytes) -> out.put(chain + " " + comment, packets + ":" + bytes));
        assertThat(out).isNotEmpty().allSatisfy((k, val) -> assertThat(k).doesNotEndWith(" null"));
        return out;
    }

    private String rules(IptablesFamily family) {
        return topo.node.exec(family == IptablesFamily.LEGACY ? "iptables-legacy-save" : "iptables-nft-save", "-t", "mangle")
                .lines().filter(l -> l.startsWith("-A ")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    private String sets() {
        return topo.node.exec("ipset", "save");
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void setRules_countInTheRightClass_andASetUpdateKeepsPodCounters(IptablesFamily family) throws Exception {
        topo = new NodeTopology(family);
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(withHosts("10.10.0.0/16", "10.11.0."), withHosts("10.20.0.0/16", "10.21.0."), withHosts("10.0.0.0/16", "10.1.0."))
                .pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter e = exporter(family, md, 0, false);
        assertThat(e.reader().name()).isEqualTo(family == IptablesFamily.LEGACY ? "sockopt" : "netlink");
        assertThat(collect(e)).hasSize(2 * 2 * 4 * 2);
        String rules = rules(family);
        assertThat(rules)
                .contains("-A NETCOST-E-0A0A0102 -m set --match-set NETCOST-4-SAME dst -m comment --comment \"same_zone shop/web-0\" -j RETURN")
                .contains("-A NETCOST-I-0A0A0102 -m set --match-set NETCOST-4-CROSS src -m comment --comment \"cross_zone shop/web-0\" -j RETURN")
                .doesNotContain("10.21.0.7");
        assertThat(rules.lines().filter(l -> l.startsWith("-A NETCOST-E-0A0A0102"))).hasSize(4);
        assertThat(sets()).contains("create NETCOST-4-CROSS hash:net family inet ").contains("add NETCOST-4-CROSS 10.21.0.7\n")
                .contains("add NETCOST-4-VPC 10.0.0.0/16\n").doesNotContain("NETCOST-4-CROSS-T");

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));   // A -> other zone
        NodeTopology.tcp(topo.podA, topo.vpc, VPC, 5002, 5002, NodeTopology.payload(dir, MIB));     // A -> VPC
        NodeTopology.tcp(topo.podA, topo.podB, POD_B, 5003, 5003, NodeTopology.payload(dir, MIB));  // A -> B, same zone
        Map<String, Double> m = collect(e);
        assertThat(v(m, "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(v(m, "shop/web-0 egress in_vpc bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(v(m, "shop/web-0 egress same_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(v(m, "shop/api-0 ingress same_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(v(m, "shop/web-0 ingress cross_zone packets")).isPositive();
        assertThat(v(m, "shop/web-0 egress internet bytes")).isZero();
        assertThat(perRule(e.reader())).isEqualTo(perRule(new SaveCounterReader(new CommandRunner(topo.node.path(), "nsenter",
                java.time.Duration.ofSeconds(30)), family == IptablesFamily.LEGACY ? "iptables-legacy-save" : "iptables-nft-save",
                new ChainNames("NETCOST"))));

        // The other zone's subnet becomes VPC address space (and new endpoints appear): only the sets change.
        List<Cidr> cross = withHosts("10.30.0.0/16", "10.21.0.");
        List<Cidr> vpc = new ArrayList<>(withHosts("10.0.0.0/16", "10.1.0."));
        vpc.add(Cidr.parse("10.20.0.0/16"));
        md.sets(withHosts("10.10.0.0/16", "10.11.0."), cross, vpc);
        Map<String, Double> after = collect(e);
        assertThat(after).isEqualTo(m);
        assertThat(rules(family)).isEqualTo(rules);
        assertThat(sets()).contains("add NETCOST-4-CROSS 10.30.0.0/16\n").doesNotContain("add NETCOST-4-CROSS 10.20.0.0/16\n")
                .contains("add NETCOST-4-VPC 10.20.0.0/16\n").doesNotContain("-T ");

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> later = collect(e);
        assertThat(v(later, "shop/web-0 egress cross_zone bytes")).isEqualTo(v(m, "shop/web-0 egress cross_zone bytes"));
        assertThat(v(later, "shop/web-0 egress in_vpc bytes") - v(m, "shop/web-0 egress in_vpc bytes"))
                .isBetween((double) MIB, MIB * 1.1);
        assertThat(v(later, "shop/web-0 egress same_zone bytes")).isEqualTo(v(m, "shop/web-0 egress same_zone bytes"));
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void restartAdoptsSetRules_thresholdChangeCarriesCountersAndDestroysSets_cleanupRemovesTheRest(IptablesFamily family)
            throws Exception {
        topo = new NodeTopology(family);
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16"), withHosts("10.20.0.0/16", "10.21.0."), cidrs("10.0.0.0/16"))
                .pods(pod("shop", "web-0", POD_A));
        IptablesExporter first = exporter(family, md, 16, false);
        collect(first);
        assertThat(sets()).contains("create NETCOST-4-CROSS ").doesNotContain("NETCOST-4-SAME").doesNotContain("NETCOST-4-VPC");
        assertThat(rules(family)).contains("-d 10.10.0.0/16 -m comment --comment \"same_zone shop/web-0\"")
                .contains("-m set --match-set NETCOST-4-CROSS dst");
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = collect(first);
        first.close();
        exporters.remove(first);
        String rulesBefore = rules(family);
        String setsBefore = sets();

        IptablesExporter second = exporter(family, md, 16, false);
        assertThat(collect(second)).isEqualTo(before);
        assertThat(rules(family)).isEqualTo(rulesBefore);
        assertThat(sets()).isEqualTo(setsBefore);
        second.close();
        exporters.remove(second);

        // A threshold above the list size: per-CIDR rules again, counters carried, the set destroyed after.
        IptablesExporter third = exporter(family, md, 100, true);
        assertThat(collect(third)).isEqualTo(before);
        assertThat(rules(family)).doesNotContain("-m set").contains("-d 10.21.0.7/32 ");
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");

        IptablesExporter fourth = exporter(family, md, 0, true);
        third.close();
        exporters.remove(third);
        collect(fourth);
        assertThat(topo.node.exec("ipset", "list", "-n")).contains("NETCOST-4-SAME").contains("NETCOST-4-CROSS");
        fourth.close();
        exporters.remove(fourth);
        assertThat(rules(family)).doesNotContain("NETCOST");
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");
    }

    @ParameterizedTest
    @EnumSource(IptablesFamily.class)
    void ipv6ClassesUseTheirOwnInet6Sets_andCleanupDestroysBothFamilies(IptablesFamily family) throws Exception {
        topo = new NodeTopology(family, true);
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16", "fd00:10::/32"), cidrs("10.20.0.0/16", "fd00:20::/32", "fd00:21::7/128"),
                        cidrs("10.0.0.0/16", "fd00::/8"))
                .pods(pod("shop", "web-0", POD_A, POD_A6));
        IptablesExporter e = exporter(family, md, 0, true);
        assertThat(e.reconciler6()).isNotNull();
        collect(e);
        String save6 = topo.node.exec(family == IptablesFamily.LEGACY ? "ip6tables-legacy-save" : "ip6tables-nft-save", "-t", "mangle");
        assertThat(save6).contains("-m set --match-set NETCOST-6-CROSS dst -m comment --comment \"cross_zone shop/web-0\"")
                .doesNotContain("NETCOST-4-");
        assertThat(sets()).contains("create NETCOST-6-CROSS hash:net family inet6 ").contains("add NETCOST-6-CROSS fd00:21::7\n")
                .contains("create NETCOST-4-CROSS hash:net family inet ");

        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> m = collect(e);
        assertThat(v(m, "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(v(m, "shop/web-0 egress in_vpc bytes")).isZero();

        e.close();
        exporters.remove(e);
        assertThat(topo.node.exec("ipset", "list", "-n")).doesNotContain("NETCOST");
    }
}
