package dev.netcost.iptables;

import static dev.netcost.iptables.ExporterFixture.v;
import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Load balancers in front of pods, against the real kernel in namespaces ({@link NodeTopology} plus a
 * "load balancer" namespace holding the ENI addresses): an ALB with ENIs in this node's zone
 * (10.0.1.50) and in another (10.0.2.50, later 10.0.3.50), and an NLB (10.0.4.50, this zone), open
 * connections to pods of two namespaces and move known bytes each way. Every backend and reader:
 * iptables-legacy read natively and with save, iptables-nft with save, netcost's nft table over netlink.
 */
class LoadBalancerTrafficIT {
    private static final int MIB = 1024 * 1024;
    private static final String ALB_SAME = "10.0.1.50";
    private static final String ALB_CROSS = "10.0.2.50";
    private static final String ALB_CROSS_NEW = "10.0.3.50";
    private static final String NLB = "10.0.4.50";
    private static final String ALB_NAME = "k8s-sharedalb-1a2b3c4d5e";
    private static final String NLB_NAME = "k8s-games-gamenlb-0f1e2d3c4b";
    /** Keys of {@link ExporterFixture#collect}: the two pods, and their series with each load balancer. */
    private static final String WEB = "shop/web-0";
    private static final String GAME = "games/game-0";
    private static final String WEB_ALB = WEB + " lb=" + ALB_NAME + "/application";
    private static final String GAME_ALB = GAME + " lb=" + ALB_NAME + "/application";
    private static final String GAME_NLB = GAME + " lb=" + NLB_NAME + "/network";

    enum Backend {
        LEGACY_SOCKOPT(IptablesFamily.LEGACY, IptablesBackend.LEGACY),
        LEGACY_SAVE(IptablesFamily.LEGACY, IptablesBackend.SAVE),
        NFT_SAVE(IptablesFamily.NFT, IptablesBackend.SAVE),
        NFT_NETLINK(IptablesFamily.NFT, IptablesBackend.NFT);

        final IptablesFamily family;
        final IptablesBackend backend;

        Backend(IptablesFamily family, IptablesBackend backend) {
            this.family = family;
            this.backend = backend;
        }
    }

    @TempDir
    Path dir;

    private NodeTopology topo;
    private final ExporterFixture.Running exporters = new ExporterFixture.Running();

    @AfterEach
    void tearDown() throws Exception {
        exporters.close(); // the exporters, then the topology they ran in
    }

    private static LoadBalancer alb(String... addressZonePairs) {
        List<LoadBalancer.Address> addresses = new java.util.ArrayList<>();
        for (int i = 0; i < addressZonePairs.length; i += 2) {
            addresses.add(new LoadBalancer.Address(addressZonePairs[i], addressZonePairs[i + 1]));
        }
        return new LoadBalancer(ALB_NAME, LoadBalancerType.APPLICATION, "50dc6c495c0c9188", addresses);
    }

    private static LoadBalancer nlb() {
        return new LoadBalancer(NLB_NAME, LoadBalancerType.NETWORK, "", List.of(new LoadBalancer.Address(NLB, "zone-a")));
    }

    private IptablesExporter start(Backend b, MutableClusterMetadata md) throws Exception {
        IptablesExporter e = exporters.start(topo.node.path(), md, c -> c.withBackend(b.backend).withCleanupOnExit(true));
        assertThat(e.tables().description()).contains(b.backend == IptablesBackend.NFT ? "nf_tables" : "iptables-" + b.family.label());
        return e;
    }

    private static void assertPayload(Map<String, Double> m, String key, double payload) {
        assertThat(v(m, key)).as(key).isBetween(payload, payload * 1.1);
    }

    /** The sum of the load-balancer byte series of one pod and direction. */
    private static double lbSum(Map<String, Double> m, String pod, String direction) {
        return m.entrySet().stream()
                .filter(e -> e.getKey().startsWith(pod + " lb=") && e.getKey().contains(" " + direction + " "))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The kernel's state is exactly the wanted one: reconciling again applies nothing (the rules compare as the kernel prints them). */
    private static void assertNothingToReconcile(Backend b, IptablesExporter e, MutableClusterMetadata md) throws Exception {
        LoadBalancerIndex lbs = LoadBalancerIndex.build(md.loadBalancers(), md.nodeZone());
        if (b.backend == IptablesBackend.NFT) {
            NftReconciler r = ((NftTables) e.tables()).reconciler();
            assertThat(r.reconcile(NftRuleset.build(r.table(), md.localPods(), md.classificationSets(), lbs, true)).script()).isEmpty();
        } else {
            assertThat(e.reconciler().reconcile(AccountingRules.build(new ChainNames("NETCOST"), md.localPods(),
                    md.classificationSets(), lbs, false, IptablesConfig.DEFAULT_SET_THRESHOLD))).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void countsBytesAndNewConnectionsPerPodAndLoadBalancer_byDirectionAndZone_andKeepsThemAcrossEniChanges(Backend b)
            throws Exception {
        topo = exporters.topology(new NodeTopology(b.family));
        Netns lb = topo.loadBalancer(ALB_SAME, ALB_CROSS, ALB_CROSS_NEW, NLB);
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                .pods(pod("shop", "web-0", POD_A), pod("games", "game-0", POD_B))
                .loadBalancers(alb(ALB_SAME, "zone-a", ALB_CROSS, "zone-b"), nlb());
        IptablesExporter e = start(b, md);
        assertThat(ExporterFixture.collect(e)).doesNotContainKey("shop/web-0 lb=" + ALB_NAME + "/application connections");
        Path one = NodeTopology.payload(dir, MIB);
        Path three = NodeTopology.payload(dir, 3 * MIB);

        // shop/web-0: the ALB's same-zone ENI opens 3 connections: 2 x 1 MiB to the pod, 3 MiB back.
        NodeTopology.connection(lb, ALB_SAME, topo.podA, POD_A, 8080, one, true);
        NodeTopology.connection(lb, ALB_SAME, topo.podA, POD_A, 8081, one, true);
        NodeTopology.connection(lb, ALB_SAME, topo.podA, POD_A, 8082, three, false);
        // games/game-0: the ALB's other-zone ENI opens 2 connections of 1 MiB to it; the NLB 1 with 1 MiB back.
        NodeTopology.connection(lb, ALB_CROSS, topo.podB, POD_B, 8080, one, true);
        NodeTopology.connection(lb, ALB_CROSS, topo.podB, POD_B, 8081, one, true);
        NodeTopology.connection(lb, NLB, topo.podB, POD_B, 8082, one, false);

        Map<String, Double> m = ExporterFixture.collect(e);
        assertPayload(m, WEB_ALB + " ingress same_zone bytes", 2 * MIB);
        assertPayload(m, WEB_ALB + " egress same_zone bytes", 3 * MIB);
        assertThat(v(m, WEB_ALB + " connections")).isEqualTo(3);
        assertPayload(m, GAME_ALB + " ingress cross_zone bytes", 2 * MIB);
        assertThat(v(m, GAME_ALB + " egress cross_zone bytes")).isPositive().isLessThan(0.1 * MIB); // the ACKs
        assertThat(v(m, GAME_ALB + " connections")).isEqualTo(2);
        assertPayload(m, GAME_NLB + " egress same_zone bytes", MIB);
        assertThat(v(m, GAME_NLB + " connections")).isEqualTo(1);
        assertThat(m).doesNotContainKeys(WEB_ALB + " ingress cross_zone bytes", GAME_NLB + " ingress cross_zone bytes");
        // In the pod series the load balancers' traffic is class load_balancer (their sum), never VPC or zone traffic.
        for (String pod : List.of(WEB, GAME)) {
            for (String d : List.of("ingress", "egress")) {
                assertThat(v(m, pod + " " + d + " load_balancer bytes")).as(pod + " " + d).isEqualTo(lbSum(m, pod, d));
                assertThat(v(m, pod + " " + d + " in_vpc bytes")).as(pod + " " + d + " in_vpc").isZero();
                assertThat(v(m, pod + " " + d + " same_zone bytes")).as(pod + " " + d + " same_zone").isZero();
            }
        }

        assertNothingToReconcile(b, e, md);

        // The ALB's other-zone ENI is replaced by another in a third zone: cross_zone keeps an address,
        // so no counter is reset; the new ENI counts into the same series.
        md.loadBalancers(alb(ALB_SAME, "zone-a", ALB_CROSS_NEW, "zone-c"), nlb());
        Map<String, Double> after = ExporterFixture.collect(e);
        assertThat(after).containsAllEntriesOf(m);
        NodeTopology.connection(lb, ALB_CROSS_NEW, topo.podB, POD_B, 8083, one, true);
        NodeTopology.connection(lb, ALB_CROSS, topo.podB, POD_B, 8084, one, true); // no longer the ALB's
        Map<String, Double> later = ExporterFixture.collect(e);
        assertThat(v(later, GAME_ALB + " ingress cross_zone bytes") - v(m, GAME_ALB + " ingress cross_zone bytes"))
                .isBetween((double) MIB, 1.1 * MIB);
        assertThat(v(later, GAME_ALB + " connections")).isEqualTo(3);
        assertThat(v(later, GAME + " ingress in_vpc bytes")).as("the old ENI's address is VPC again").isBetween((double) MIB,
                1.1 * MIB);
        assertThat(v(later, WEB_ALB + " egress same_zone bytes")).isEqualTo(v(m, WEB_ALB + " egress same_zone bytes"));

        // No cross-zone ENI left: those counters go, the others stay.
        md.loadBalancers(alb(ALB_SAME, "zone-a"), nlb());
        Map<String, Double> fewer = ExporterFixture.collect(e);
        assertThat(fewer).doesNotContainKey(GAME_ALB + " ingress cross_zone bytes")
                .containsEntry(WEB_ALB + " ingress same_zone bytes", m.get(WEB_ALB + " ingress same_zone bytes"))
                .containsEntry(GAME_NLB + " egress same_zone bytes", m.get(GAME_NLB + " egress same_zone bytes"));
    }

    /**
     * Known targets: the ALB targets the pods of namespace {@code shop} only, the NLB the pods of
     * {@code games} labelled {@code app=game}. The ALB's traffic with {@code games/game-0} (outside its
     * targets) makes no ALB series for that pod, but is still {@code load_balancer} in its pod series,
     * never zone traffic. Then the ALB's targets grow to both namespaces: no counter of the pairs that
     * were there is reset, and new ALB traffic to game-0 lands in its new ALB series.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void knownTargets_countOnlyTheirPods_othersStayLoadBalancerClass_andATargetChangeResetsNothing(Backend b) throws Exception {
        topo = exporters.topology(new NodeTopology(b.family));
        Netns lb = topo.loadBalancer(ALB_SAME, NLB);
        PodInfo game = new PodInfo("games", "game-0", "uid-game-0", List.of(POD_B), false, Map.of("app", "game"), "game",
                "Deployment");
        LoadBalancer.Targets shop = LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("shop", Map.of())));
        LoadBalancer nlb = nlb().withTargets(LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("games", Map.of("app", "game")))));
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").pods(pod("shop", "web-0", POD_A), game)
                .loadBalancers(alb(ALB_SAME, "zone-a").withTargets(shop), nlb);
        IptablesExporter e = start(b, md);
        assertThat(ExporterFixture.collect(e)).as("the first cycle lays the rules down").isNotEmpty();
        Path one = NodeTopology.payload(dir, MIB);

        NodeTopology.connection(lb, ALB_SAME, topo.podA, POD_A, 8080, one, true); // a target
        NodeTopology.connection(lb, ALB_SAME, topo.podB, POD_B, 8080, one, true); // not the ALB's target
        NodeTopology.connection(lb, NLB, topo.podB, POD_B, 8081, one, false);

        Map<String, Double> m = ExporterFixture.collect(e);
        assertPayload(m, WEB_ALB + " ingress same_zone bytes", MIB);
        assertThat(v(m, WEB_ALB + " connections")).isEqualTo(1);
        assertPayload(m, GAME_NLB + " egress same_zone bytes", MIB);
        assertThat(v(m, GAME_NLB + " connections")).isEqualTo(1);
        assertThat(m.keySet()).noneMatch(k -> k.startsWith(GAME_ALB)).noneMatch(k -> k.startsWith(WEB + " lb=" + NLB_NAME));
        // game-0's megabyte from the ALB: load_balancer in its pod series, beyond what its NLB series hold.
        assertThat(v(m, GAME + " ingress load_balancer bytes") - lbSum(m, GAME, "ingress")).isBetween((double) MIB, 1.1 * MIB);
        assertThat(v(m, WEB + " ingress load_balancer bytes")).isGreaterThanOrEqualTo(lbSum(m, WEB, "ingress"));
        for (String pod : List.of(WEB, GAME)) {
            for (String d : List.of("ingress", "egress")) {
                assertThat(v(m, pod + " " + d + " same_zone bytes")).as(pod + " " + d + " same_zone").isZero();
                assertThat(v(m, pod + " " + d + " in_vpc bytes")).as(pod + " " + d + " in_vpc").isZero();
            }
        }
        assertNothingToReconcile(b, e, md);

        // The ALB now targets both namespaces: every series seen so far keeps its value (nothing reset).
        md.loadBalancers(alb(ALB_SAME, "zone-a").withTargets(LoadBalancer.Targets.of(List.of(
                new LoadBalancer.Target("shop", Map.of()), new LoadBalancer.Target("games", Map.of())))), nlb);
        Map<String, Double> after = ExporterFixture.collect(e);
        assertThat(after).containsAllEntriesOf(m);
        assertNothingToReconcile(b, e, md);
        NodeTopology.connection(lb, ALB_SAME, topo.podB, POD_B, 8082, one, true);
        NodeTopology.connection(lb, ALB_SAME, topo.podA, POD_A, 8083, one, true);
        Map<String, Double> later = ExporterFixture.collect(e);
        assertPayload(later, GAME_ALB + " ingress same_zone bytes", MIB);
        assertThat(v(later, GAME_ALB + " connections")).isEqualTo(1);
        assertPayload(later, WEB_ALB + " ingress same_zone bytes", 2 * MIB);
        assertThat(v(later, WEB_ALB + " connections")).isEqualTo(2);
        assertThat(v(later, GAME_NLB + " egress same_zone bytes")).isEqualTo(v(m, GAME_NLB + " egress same_zone bytes"));
        assertThat(v(later, GAME + " ingress load_balancer bytes") - v(m, GAME + " ingress load_balancer bytes"))
                .isBetween((double) MIB, 1.1 * MIB);

        // Targets no longer known: every pod is counted again, the targeted pairs' counters run on.
        md.loadBalancers(alb(ALB_SAME, "zone-a"), nlb());
        Map<String, Double> unknown = ExporterFixture.collect(e);
        assertThat(unknown).containsEntry(WEB_ALB + " ingress same_zone bytes", later.get(WEB_ALB + " ingress same_zone bytes"))
                .containsEntry(GAME_ALB + " ingress same_zone bytes", later.get(GAME_ALB + " ingress same_zone bytes"))
                .containsEntry(GAME_NLB + " egress same_zone bytes", later.get(GAME_NLB + " egress same_zone bytes"));
        assertNothingToReconcile(b, e, md);
    }

    /**
     * {@code target-type: instance}: the load balancer connects to a NodePort and kube-proxy DNATs to
     * the pod. Built with kube-proxy-like NAT rules in the test's namespaces (the family under test):
     * <ul>
     *   <li>{@code externalTrafficPolicy: Local}: DNAT to the local pod, the LB's address kept — counted
     *       as the load balancer's, both ways;</li>
     *   <li>{@code Cluster}, endpoint on this node: DNAT plus masquerade, which runs after netcost's
     *       hook — still counted as the load balancer's;</li>
     *   <li>{@code Cluster}, the LB reached another node ("nodeX") that DNATs and masquerades to our pod:
     *       this node sees nodeX's address, so the bytes are the pod's traffic with that node (here
     *       {@code in_vpc}: the test knows no zone for it) and no load-balancer series exists.</li>
     * </ul>
     */
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"LEGACY_SOCKOPT", "NFT_NETLINK"})
    void instanceTargets_countedForTheLoadBalancerWhenThePodsNodeSeesItsAddress(Backend b) throws Exception {
        topo = exporters.topology(new NodeTopology(b.family));
        Netns lb = topo.loadBalancer(ALB_SAME);
        String iptables = ExporterFixture.iptables(b.family, false);
        String nodeIp = "10.255.3.1"; // the node's address on the load balancer's side
        // Local: NodePort 30080 -> web-0:8080; Cluster (local endpoint): 30081 -> web-0:8081, masqueraded.
        topo.node.exec(iptables, "-w", "-t", "nat", "-A", "PREROUTING", "-d", nodeIp, "-p", "tcp", "--dport", "30080",
                "-j", "DNAT", "--to-destination", POD_A + ":8080");
        topo.node.exec(iptables, "-w", "-t", "nat", "-A", "PREROUTING", "-d", nodeIp, "-p", "tcp", "--dport", "30081",
                "-j", "MARK", "--set-mark", "0x4000");
        topo.node.exec(iptables, "-w", "-t", "nat", "-A", "PREROUTING", "-d", nodeIp, "-p", "tcp", "--dport", "30081",
                "-j", "DNAT", "--to-destination", POD_A + ":8081");
        topo.node.exec(iptables, "-w", "-t", "nat", "-A", "POSTROUTING", "-m", "mark", "--mark", "0x4000", "-j", "MASQUERADE");
        // Cluster (remote endpoint): nodeX's NodePort 30082 -> game-0:8082 on this node, masqueraded to nodeX's address.
        Netns nodeX = Netns.create("nodeX");
        try {
            Netns.veth(topo.node, "nx", nodeX, "eth0");
            topo.node.exec("ip", "addr", "add", "10.255.4.1/30", "dev", "nx");
            nodeX.exec("ip", "addr", "add", "10.255.4.2/30", "dev", "eth0");
            nodeX.exec("ip", "route", "add", "default", "via", "10.255.4.1");
            nodeX.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            nodeX.exec(iptables, "-w", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "30082",
                    "-j", "DNAT", "--to-destination", POD_B + ":8082");
            nodeX.exec(iptables, "-w", "-t", "nat", "-A", "POSTROUTING", "-d", POD_B, "-j", "MASQUERADE");

            MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a")
                    .pods(pod("shop", "web-0", POD_A), pod("games", "game-0", POD_B))
                    .loadBalancers(alb(ALB_SAME, "zone-a"));
            IptablesExporter e = start(b, md);
            ExporterFixture.collect(e);
            Path one = NodeTopology.payload(dir, MIB);
            NodeTopology.connection(lb, ALB_SAME, topo.podA, nodeIp, 30080, 8080, one, true);
            NodeTopology.connection(lb, ALB_SAME, topo.podA, nodeIp, 30081, 8081, one, false);
            NodeTopology.connection(lb, ALB_SAME, topo.podB, "10.255.4.2", 30082, 8082, one, true);

            Map<String, Double> m = ExporterFixture.collect(e);
            String webAlb = "shop/web-0 lb=" + ALB_NAME + "/application";
            assertPayload(m, webAlb + " ingress same_zone bytes", MIB); // Local
            assertPayload(m, webAlb + " egress same_zone bytes", MIB); // Cluster, endpoint on the node
            assertThat(v(m, webAlb + " connections")).isEqualTo(2);
            assertThat(m.keySet()).noneMatch(k -> k.startsWith("games/game-0 lb="));
            assertPayload(m, "games/game-0 ingress in_vpc bytes", MIB); // Cluster, via nodeX: nodeX's address
            assertThat(v(m, "games/game-0 ingress load_balancer bytes")).isZero();
        } finally {
            nodeX.close();
        }
    }
}
