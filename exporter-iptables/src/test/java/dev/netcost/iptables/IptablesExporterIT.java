package dev.netcost.iptables;

import dev.netcost.core.testing.MutableClusterMetadata;
import static dev.netcost.iptables.NodeTopology.CLUSTER_IP;
import static dev.netcost.iptables.NodeTopology.INTERNET;
import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.NodeTopology.POD_C;
import static dev.netcost.iptables.NodeTopology.VPC;
import static dev.netcost.iptables.NodeTopology.ZONE;
import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import dev.netcost.iptables.ExporterFixture.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exporter against the real kernel, in namespaces: the "node" namespace routes between pods,
 * another zone, the VPC and the internet, and the exporter manages its rules there (commands via
 * nsenter, native reads on a thread that did setns). Run on iptables-legacy with the native
 * readers, and with {@code iptables-*-save -c} on both families ({@link ExporterFixture.Mode}).
 */
class IptablesExporterIT {
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

    private MutableClusterMetadata metadata() {
        return TestMetadata.of("node-1", "zone-a")
                .sets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16"), cidrs("10.0.0.0/16"));
    }

    private IptablesExporter exporter(Mode mode, MutableClusterMetadata md, boolean cleanup) throws Exception {
        IptablesExporter e = exporter(mode.backend, md, cleanup);
        assertThat(e.reconciler().family()).isEqualTo(mode.family);
        assertThat(e.reader().name()).isEqualTo(mode.reader);
        return e;
    }

    private IptablesExporter exporter(IptablesBackend backend, MutableClusterMetadata md, boolean cleanup) throws Exception {
        return exporters.start(topo.node.path(), md, c -> c.withBackend(backend).withCleanupOnExit(cleanup));
    }

    private String save(IptablesFamily family) {
        return topo.node.exec(ExporterFixture.iptables(family, false) + "-save", "-c", "-t", "mangle");
    }

    /** The counting rules with their counters, in the kernel's order. */
    private String countingRules(IptablesFamily family) {
        return save(family).lines().filter(l -> l.matches("\\[\\d+:\\d+\\] -A NETCOST-[EI]-[A-Z]+ .*"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void countsKnownTraffic_byPodDirectionAndClass_afterDnatAndBeforeMasquerade(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter e = exporter(mode, md, false);
        Map<String, Double> before = ExporterFixture.collect(e);
        assertThat(before).containsEntry("shop/web-0 egress cross_zone bytes", 0.0)
                .containsEntry("shop/api-0 ingress internet packets", 0.0)
                .hasSize(2 * 2 * 4 * 2);

        Path tenMib = NodeTopology.payload(dir, TEN_MIB);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, tenMib);           // A -> other zone
        NodeTopology.tcp(topo.zone, topo.podA, POD_A, 5011, 5011, tenMib);          // other zone -> A
        NodeTopology.tcp(topo.podB, topo.zone, CLUSTER_IP, 80, 5002, tenMib);       // B -> ClusterIP, DNAT to other zone
        NodeTopology.tcp(topo.podB, topo.internet, INTERNET, 5003, 5003, tenMib);   // B -> internet, masqueraded
        NodeTopology.tcp(topo.podA, topo.podB, POD_B, 5004, 5004, tenMib);          // A -> B, same node
        NodeTopology.udp(topo.podA, VPC, 5005, NodeTopology.payload(dir, 200 * 1000), 1000); // A -> VPC, 200 datagrams

        Map<String, Double> m = ExporterFixture.collect(e);
        assertTenMib(m, "shop/web-0 egress cross_zone");
        assertTenMib(m, "shop/web-0 ingress cross_zone");
        assertTenMib(m, "shop/api-0 egress cross_zone");   // classified by the pod behind the ClusterIP
        assertTenMib(m, "shop/api-0 egress internet");     // counted by pod IP, so before masquerade
        assertTenMib(m, "shop/web-0 egress same_zone");
        assertTenMib(m, "shop/api-0 ingress same_zone");
        assertThat(ExporterFixture.v(m, "shop/web-0 egress in_vpc packets")).isEqualTo(200);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress in_vpc bytes")).isEqualTo(200 * (1000 + 8 + 20));
        assertThat(ExporterFixture.v(m, "shop/web-0 egress internet bytes")).isZero();
        // Replies through the masquerade are un-NATed before POSTROUTING: the pod's own ingress.
        assertThat(ExporterFixture.v(m, "shop/api-0 ingress internet packets")).isPositive();
        assertThat(ExporterFixture.v(m, "shop/api-0 ingress internet bytes")).isLessThan(TEN_MIB / 10.0);
        assertThat(ExporterFixture.v(m, "shop/api-0 ingress cross_zone bytes")).isPositive().isLessThan(TEN_MIB / 5.0);
    }

    private static void assertTenMib(Map<String, Double> m, String series) {
        assertThat(ExporterFixture.v(m, series + " bytes")).as(series + " bytes").isBetween((double) TEN_MIB, TEN_MIB * 1.1);
        assertThat(ExporterFixture.v(m, series + " packets")).as(series + " packets").isPositive();
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void podChurn_removesGonePods_keepsCountersOfRemainingOnes(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter e = exporter(mode, md, false);
        ExporterFixture.collect(e);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        double a1 = ExporterFixture.v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes");
        assertThat(a1).isGreaterThanOrEqualTo(MIB);

        md.pods(pod("shop", "web-0", POD_A), pod("shop", "web-1", POD_C));
        Map<String, Double> m = ExporterFixture.collect(e);
        assertThat(m.keySet()).noneMatch(k -> k.startsWith("shop/api-0"));
        assertThat(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes")).isEqualTo(a1);
        assertThat(ExporterFixture.v(m, "shop/web-1 egress cross_zone bytes")).isZero();
        assertThat(save(family)).doesNotContain("-s 10.10.1.3/32").contains("-A NETCOST-E-CROSS -s 10.10.1.4/32 -j RETURN");

        NodeTopology.tcp(topo.podC, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        m = ExporterFixture.collect(e);
        assertThat(ExporterFixture.v(m, "shop/web-1 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
        assertThat(ExporterFixture.v(m, "shop/web-0 egress cross_zone bytes")).isEqualTo(a1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void restart_adoptsChainsAndCounters_withoutLossOrDoubleCounting(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter first = exporter(mode, md, false);
        ExporterFixture.collect(first);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = ExporterFixture.collect(first);
        exporters.stop(first);
        String rulesBefore = save(family).replaceAll("(?m)^#.*\n", "");

        IptablesExporter second = exporter(mode, md, false);
        assertThat(ExporterFixture.collect(second)).isEqualTo(before);
        assertThat(save(family).replaceAll("(?m)^#.*\n", "")).isEqualTo(rulesBefore);

        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        double delta = ExporterFixture.v(ExporterFixture.collect(second), "shop/web-0 egress cross_zone bytes") - before.get("shop/web-0 egress cross_zone bytes");
        assertThat(delta).isBetween((double) MIB, MIB * 1.1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void jumpRemovedByAnExternalRestore_isRepairedInTheNextCycle(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter e = exporter(mode, md, false);
        ExporterFixture.collect(e);
        String prefix = ExporterFixture.iptables(family, false);
        // What kube-proxy or a CNI might do: restore the whole mangle table from a dump without our jump.
        topo.node.exec("sh", "-c", prefix + "-save -t mangle | grep -v -- '-j NETCOST$' | " + prefix + "-restore -w 5 -T mangle");
        assertThat(save(family)).doesNotContain("-j NETCOST\n");

        ExporterFixture.collect(e);
        assertThat(save(family).lines().filter(l -> l.endsWith("-A POSTROUTING -m comment --comment netcost -j NETCOST")))
                .hasSize(1);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void cleanupOnExit_removesEverythingNetcostAdded_andOnlyThat(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        String untouched = save(family).replaceAll("(?m)^#.*\n", "");
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter keep = exporter(mode, md, false);
        ExporterFixture.collect(keep);
        exporters.stop(keep);
        assertThat(save(family)).contains(":NETCOST-E-INET").contains("-j NETCOST");

        IptablesExporter clean = exporter(mode, md, true);
        ExporterFixture.collect(clean);
        exporters.stop(clean);
        assertThat(save(family).replaceAll("(?m)^#.*\n", "")).isEqualTo(untouched).doesNotContain("NETCOST");
    }

    /** helm uninstall: the agent stops with its DaemonSet deleted and takes everything with it; a restart keeps it. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void cleanupOnUninstall_removesEverything_onlyWhenTheAgentLeavesTheNode(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        String untouched = save(family).replaceAll("(?m)^#.*\n", "");
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B));
        IptablesExporter restarted = exporter(mode, md, false);
        assertThat(IptablesConfig.DEFAULT.cleanupOnUninstall()).as("on by default").isTrue();
        ExporterFixture.collect(restarted);
        exporters.stop(restarted);
        assertThat(save(family)).contains(":NETCOST-E-INET").contains("-j NETCOST");

        md.removedFromNode(true);
        IptablesExporter uninstalled = exporter(mode, md, false);
        ExporterFixture.collect(uninstalled);
        exporters.stop(uninstalled);
        assertThat(save(family).replaceAll("(?m)^#.*\n", "")).isEqualTo(untouched).doesNotContain("NETCOST");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void reconcileIsIdempotent_andClassSetChangesKeepPerClassTotals(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter e = exporter(mode, md, false);
        ExporterFixture.collect(e);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        Map<String, Double> before = ExporterFixture.collect(e);
        AccountingRules same = AccountingRules.build(new ChainNames("NETCOST"), md.localPods(), md.classificationSets());
        assertThat(e.reconciler().reconcile(same)).isEmpty();
        String counting = countingRules(family);
        assertThat(counting.lines()).hasSize(8);

        // A CIDR change rewrites the classification chains only: no counting rule is deleted, added or reset.
        md.sets(cidrs("10.10.0.0/16"), cidrs("10.30.0.0/16", "10.20.0.0/16"), cidrs("10.0.0.0/16", "172.16.0.0/12"));
        String applied = e.reconciler().reconcile(AccountingRules.build(new ChainNames("NETCOST"), md.localPods(),
                md.classificationSets()));
        assertThat(applied).contains(":NETCOST-EGRESS - [0:0]").doesNotContain("RETURN").doesNotContain("-D ");
        assertThat(countingRules(family)).isEqualTo(counting);
        Map<String, Double> after = ExporterFixture.collect(e);
        assertThat(after).isEqualTo(before);
        assertThat(save(family)).contains("-d 10.30.0.0/16 -g NETCOST-E-CROSS").contains("-s 172.16.0.0/12 -g NETCOST-I-VPC");
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")
                - before.get("shop/web-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void beforeMetadataSync_touchesNoRules(Mode mode) throws Exception {
        IptablesFamily family = mode.family;
        topo = exporters.topology(new NodeTopology(family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A)).synced(false);
        IptablesExporter e = exporter(mode, md, false);
        assertThat(ExporterFixture.collect(e)).isEmpty();
        assertThat(save(family)).doesNotContain("NETCOST");
        md.synced(true);
        assertThat(ExporterFixture.collect(e)).containsKey("shop/web-0 egress internet bytes");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void reusedAddress_startsFromZeroForTheNewPod(Mode mode) throws Exception {
        topo = exporters.topology(new NodeTopology(mode.family));
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter e = exporter(mode, md, false);
        ExporterFixture.collect(e);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(e), "shop/web-0 egress cross_zone bytes")).isGreaterThanOrEqualTo(MIB);

        md.pods(pod("shop", "new-0", POD_A)); // web-0 is gone, new-0 got its address in the same metadata change
        Map<String, Double> m = ExporterFixture.collect(e);
        assertThat(m.keySet()).noneMatch(k -> k.startsWith("shop/web-0"));
        assertThat(m).containsEntry("shop/new-0 egress cross_zone bytes", 0.0).containsEntry("shop/new-0 ingress cross_zone bytes", 0.0);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(e), "shop/new-0 egress cross_zone bytes")).isBetween((double) MIB, MIB * 1.1);
    }

    @ParameterizedTest
    @EnumSource(value = IptablesFamily.class)
    void upgradeFromPerPodChains_removesThemAndTheirDispatchRules(IptablesFamily family) throws Exception {
        topo = exporters.topology(new NodeTopology(family));
        topo.node.execWithInput("*mangle\n:NETCOST - [0:0]\n:NETCOST-E-0A0A0102 - [0:0]\n:NETCOST-I-0A0A0102 - [0:0]\n"
                + "-A POSTROUTING -m comment --comment netcost -j NETCOST\n-A NETCOST -s 10.10.1.2/32 -j NETCOST-E-0A0A0102\n"
                + "-A NETCOST -d 10.10.1.2/32 -j NETCOST-I-0A0A0102\n"
                + "-A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN\nCOMMIT\n",
                ExporterFixture.iptables(family, false) + "-restore", "--noflush", "-w", "5");
        IptablesExporter e = exporter(ExporterFixture.backend(family), metadata().pods(pod("shop", "web-0", POD_A)), false);
        assertThat(ExporterFixture.collect(e)).containsEntry("shop/web-0 egress internet bytes", 0.0);
        assertThat(save(family)).doesNotContain("0A0A0102").contains("-A NETCOST-E-INET -s 10.10.1.2/32 -j RETURN")
                .containsOnlyOnce("-j NETCOST\n");
    }

    @ParameterizedTest
    @EnumSource(value = IptablesBackend.class, names = {"AUTO", "SAVE"})
    void autoAndSaveBackends_pickTheFamilyHoldingTheNodesRules_andCount(IptablesBackend backend) throws Exception {
        topo = exporters.topology(new NodeTopology(IptablesFamily.LEGACY)); // the node's NAT rules live in iptables-legacy
        MutableClusterMetadata md = metadata().pods(pod("shop", "web-0", POD_A));
        IptablesExporter e = exporter(backend, md, false);
        assertThat(e.reconciler().family()).isEqualTo(IptablesFamily.LEGACY);
        assertThat(e.reader().name()).isEqualTo(backend == IptablesBackend.SAVE ? "save" : "sockopt");
        ExporterFixture.collect(e);
        assertThat(save(IptablesFamily.LEGACY)).contains(":NETCOST-E-VPC");
        assertThat(save(IptablesFamily.NFT)).doesNotContain("NETCOST");
        NodeTopology.tcp(topo.podA, topo.vpc, VPC, 5001, 5001, NodeTopology.payload(dir, MIB));
        assertThat(ExporterFixture.v(ExporterFixture.collect(e), "shop/web-0 egress in_vpc bytes")).isBetween((double) MIB, MIB * 1.1);
    }
}
