package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode: objects are created, changed and deleted, the index follows. */
class KubernetesClusterMetadataTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** Reconnecting every informer after an API outage takes several backoff rounds; on a loaded machine more. */
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(90);
    private static final AgentConfig CONFIG = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
            zone: fallback-zone
            classification:
              zones:
                zone-c: [192.168.0.0/16]
              vpc: [10.0.0.0/8]
            """);

    private GoneOnceDispatcher dispatcher;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private SimpleMeterRegistry meters;
    private KubernetesClusterMetadata metadata;
    private final List<KubernetesMockServer> extraServers = new ArrayList<>();

    @BeforeEach
    void startServer() {
        dispatcher = new GoneOnceDispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        Config c = new ConfigBuilder(server.createClient().getConfiguration())
                .withWatchReconnectInterval(100).withRequestRetryBackoffInterval(100).build();
        client = new KubernetesClientBuilder().withConfig(c).build();
        meters = new SimpleMeterRegistry();
        metadata = KubernetesClusterMetadata.builder().client(client).config(CONFIG).meters(meters)
                .rebuildDelay(Duration.ofMillis(20)).build();
    }

    @AfterEach
    void stop() {
        metadata.close();
        client.close();
        destroy(server);
        extraServers.forEach(KubernetesClusterMetadataTest::destroy);
    }

    /**
     * The mock's shutdown waits a fixed time for open watch connections (the informers reconnect
     * until the client is closed); past it, it throws although the server is down. That is the mock's
     * teardown, not what these tests check, so it is reported and not failed on.
     */
    private static void destroy(KubernetesMockServer s) {
        try {
            s.destroy();
        } catch (IllegalStateException e) {
            System.err.println("mock API server did not close in time: " + e);
        }
    }

    @Test
    void localPods_followCreateUpdateDelete_andOtherNodesPodsNeverEnter() {
        create(pod("shop", "checkout-7d9f8b6c5d-x2x4z", "node-a", "10.244.1.5", false)
                .editMetadata().addToLabels("pod-template-hash", "7d9f8b6c5d")
                .addNewOwnerReference().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("checkout-7d9f8b6c5d").withUid("rs-1").withController(true).endOwnerReference()
                .endMetadata().build());
        create(pod("shop", "elsewhere", "node-b", "10.244.2.5", false).build());
        create(pod("kube-system", "node-exporter-abcde", "node-a", "10.0.0.10", true)
                .editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                .withName("node-exporter").withUid("ds-1").withController(true).endOwnerReference().endMetadata()
                .build());
        metadata.start();

        await().atMost(WAIT).until(metadata::hasSynced);
        await().atMost(WAIT).untilAsserted(() -> assertThat(metadata.localPods()).extracting(PodInfo::name)
                .containsExactly("node-exporter-abcde", "checkout-7d9f8b6c5d-x2x4z"));
        PodInfo checkout = metadata.localPod("shop", "checkout-7d9f8b6c5d-x2x4z");
        assertThat(checkout.workload()).isEqualTo("checkout");
        assertThat(checkout.workloadKind()).isEqualTo("Deployment");
        assertThat(checkout.ips()).containsExactly("10.244.1.5", "fd00::5");
        assertThat(checkout.uid()).isNotEmpty().isEqualTo(client.pods().inNamespace("shop")
                .withName("checkout-7d9f8b6c5d-x2x4z").get().getMetadata().getUid());
        assertThat(metadata.localPodByIp("10.244.1.5")).isEqualTo(checkout);
        assertThat(metadata.localPodByIp("fd00::5")).isEqualTo(checkout);
        assertThat(metadata.localPodByIp("10.244.2.5")).isNull();
        assertThat(metadata.localPod("shop", "elsewhere")).isNull();
        // hostNetwork: listed, never found by the node's IP
        assertThat(metadata.localPod("kube-system", "node-exporter-abcde").hostNetwork()).isTrue();
        assertThat(metadata.localPod("kube-system", "node-exporter-abcde").workloadKind()).isEqualTo("DaemonSet");
        assertThat(metadata.localPodByIp("10.0.0.10")).isNull();
        // local pods are same-zone even with no node object and no zone
        assertThat(metadata.classifyIpv4(ip4("10.244.1.5"))).isEqualTo(TrafficClass.SAME_ZONE);

        long generation = metadata.generation();
        client.pods().inNamespace("shop").withName("checkout-7d9f8b6c5d-x2x4z")
                .edit(p -> new PodBuilder(p).editMetadata().addToLabels("team", "payments").endMetadata().build());
        await().atMost(WAIT).untilAsserted(() -> assertThat(metadata.localPod("shop", "checkout-7d9f8b6c5d-x2x4z")
                .labels()).containsEntry("team", "payments"));
        assertThat(metadata.generation()).isGreaterThan(generation);

        client.pods().inNamespace("shop").withName("checkout-7d9f8b6c5d-x2x4z").delete();
        await().atMost(WAIT).untilAsserted(() -> assertThat(metadata.localPodByIp("10.244.1.5")).isNull());
        assertThat(metadata.localPods()).extracting(PodInfo::name).containsExactly("node-exporter-abcde");

        // The API server is asked for this node's pods only (the mock ignores the selector; the index does not).
        assertThat(dispatcher.paths).anyMatch(p -> p.startsWith("/api/v1/pods?")
                && p.contains("fieldSelector=spec.nodeName%3Dnode-a"));
    }

    @Test
    void everyWorkloadKind_isResolvedFromThePodAlone() {
        long minute = System.currentTimeMillis() / 60_000 - 5;
        create(owned("d-1", "ReplicaSet", "web-5c6f7d8e9f", Map.of("pod-template-hash", "5c6f7d8e9f")));
        create(owned("rs-1", "ReplicaSet", "plain-rs", Map.of()));
        create(owned("sts-0", "StatefulSet", "db", Map.of()));
        create(owned("ds-1", "DaemonSet", "agent", Map.of()));
        create(owned("job-1", "Job", "migrate", Map.of()));
        create(owned("cj-1", "Job", "report-" + minute, Map.of()));
        create(pod("shop", "bare", "node-a", "10.244.1.99", false).build());
        metadata.start();

        await().atMost(WAIT).untilAsserted(() -> assertThat(metadata.localPods()).hasSize(7));
        Map<String, String> kinds = new HashMap<>();
        metadata.localPods().forEach(p -> kinds.put(p.name(), p.workloadKind() + "/" + p.workload()));
        assertThat(kinds).containsExactlyInAnyOrderEntriesOf(Map.of(
                "d-1", "Deployment/web", "rs-1", "ReplicaSet/plain-rs", "sts-0", "StatefulSet/db",
                "ds-1", "DaemonSet/agent", "job-1", "Job/migrate", "cj-1", "CronJob/report", "bare", "Pod/bare"));
    }

    @Test
    void nodesAndEndpointSlices_placeRemoteIpsInZones_andFollowChanges() {
        create(node("node-a", Map.of(KubernetesClusterMetadata.ZONE_LABEL, "zone-a"), "10.0.1.10", "10.244.1.0/24"));
        create(node("node-b", Map.of(KubernetesClusterMetadata.LEGACY_ZONE_LABEL, "zone-b"), "10.0.2.10",
                "10.244.2.0/24"));
        create(slice("shop", "web-abc", List.of(
                endpoint("10.50.0.1", "zone-b", "node-b"),
                endpoint("10.50.0.2", null, "node-a"),   // zone from the node
                endpoint("10.50.0.3", null, "node-b"),
                endpoint("fd00:50::4", "zone-a", null))));
        metadata.start();
        await().atMost(WAIT).until(metadata::hasSynced);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(metadata.nodeZone()).isEqualTo("zone-a");
            assertThat(classify("10.0.1.10")).isEqualTo(TrafficClass.SAME_ZONE);   // this node
            assertThat(classify("10.0.2.10")).isEqualTo(TrafficClass.CROSS_ZONE);  // another node
            assertThat(classify("10.244.1.77")).isEqualTo(TrafficClass.SAME_ZONE); // this node's pod CIDR
            assertThat(classify("10.244.2.77")).isEqualTo(TrafficClass.CROSS_ZONE);
            assertThat(classify("10.50.0.1")).isEqualTo(TrafficClass.CROSS_ZONE);
            assertThat(classify("10.50.0.2")).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(classify("10.50.0.3")).isEqualTo(TrafficClass.CROSS_ZONE);
            assertThat(classify("fd00:50::4")).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(classify("192.168.1.1")).isEqualTo(TrafficClass.CROSS_ZONE); // configured zone-c
            assertThat(classify("10.99.0.1")).isEqualTo(TrafficClass.IN_VPC);
            assertThat(classify("1.1.1.1")).isEqualTo(TrafficClass.INTERNET);
        });
        assertThat(metadata.classificationSets().crossZone()).contains(Cidr.parse("10.50.0.1/32"),
                Cidr.parse("10.244.2.0/24"));

        client.resources(EndpointSlice.class).inNamespace("shop").withName("web-abc").edit(s -> new EndpointSliceBuilder(s)
                .withEndpoints(endpoint("10.50.0.1", "zone-a", "node-a")).build());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(classify("10.50.0.1")).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(classify("10.50.0.3")).isEqualTo(TrafficClass.IN_VPC);
        });

        client.resources(EndpointSlice.class).inNamespace("shop").withName("web-abc").delete();
        client.nodes().withName("node-b").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(classify("10.50.0.1")).isEqualTo(TrafficClass.IN_VPC);
            assertThat(classify("10.244.2.77")).isEqualTo(TrafficClass.IN_VPC);
        });

        client.nodes().withName("node-a").edit(n -> new NodeBuilder(n).editMetadata()
                .addToLabels(KubernetesClusterMetadata.ZONE_LABEL, "zone-c").endMetadata().build());
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(metadata.nodeZone()).isEqualTo("zone-c");
            assertThat(classify("192.168.1.1")).isEqualTo(TrafficClass.SAME_ZONE);
        });
    }

    @Test
    void configuredLoadBalancerAddresses_classifyAsLoadBalancer_evenWhenAnEndpointClaimsThem() {
        metadata.close();
        AgentConfig config = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
                zone: zone-a
                loadBalancers:
                  - {name: k8s-sharedalb-1a2b3c4d5e, addresses: [{ip: 10.50.0.9, zone: zone-b}]}
                """);
        metadata = KubernetesClusterMetadata.builder().client(client).config(config).meters(new SimpleMeterRegistry())
                .rebuildDelay(Duration.ofMillis(20)).build();
        create(slice("shop", "web-abc", List.of(endpoint("10.50.0.9", "zone-a", "node-a"), endpoint("10.50.0.8", "zone-a", null))));
        metadata.start();
        await().atMost(WAIT).until(metadata::hasSynced);

        await().atMost(WAIT).untilAsserted(() -> assertThat(classify("10.50.0.8")).isEqualTo(TrafficClass.SAME_ZONE));
        assertThat(classify("10.50.0.9")).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(metadata.classificationSets().loadBalancer()).containsExactly(Cidr.parse("10.50.0.9/32"));
    }

    @Test
    void noNodeObject_fallsBackToTheConfiguredZone_andReadinessWaitsForTheFirstSync() {
        assertThat(metadata.hasSynced()).isFalse();
        assertThat(meters.get("netcost.agent.metadata.synced").gauge().value()).isZero();

        metadata.start();

        await().atMost(WAIT).until(metadata::hasSynced);
        assertThat(metadata.nodeZone()).isEqualTo("fallback-zone");
        assertThat(meters.get("netcost.agent.metadata.synced").gauge().value()).isEqualTo(1);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(meters.get("netcost.agent.metadata.staleness").gauge().value()).isZero());
    }

    @Test
    void apiDown_keepsTheLastIndexAndCountsStaleness_thenA410RelistCatchesUp() {
        create(pod("shop", "old", "node-a", "10.244.1.1", false).build());
        create(node("node-b", Map.of(KubernetesClusterMetadata.ZONE_LABEL, "zone-b"), "10.0.2.10", "10.244.2.0/24"));
        metadata.start();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(metadata.localPod("shop", "old")).isNotNull();
            assertThat(classify("10.0.2.10")).isEqualTo(TrafficClass.CROSS_ZONE);
            // Every informer listed, not only the two that hold these objects: the outage below must
            // find the index synced (on a loaded machine the EndpointSlice list can still be running).
            assertThat(metadata.hasSynced()).isTrue();
        });
        int port = server.getPort();

        // The API server goes away: every watch breaks.
        server.destroy();
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(meters.get("netcost.agent.metadata.staleness").gauge().value()).isGreaterThan(1.0));
        assertThat(metadata.hasSynced()).isTrue();
        assertThat(metadata.localPod("shop", "old")).isNotNull();
        assertThat(classify("10.0.2.10")).isEqualTo(TrafficClass.CROSS_ZONE);

        // It comes back with a different state and an etcd that forgot the old resource versions (410 Gone).
        GoneOnceDispatcher next = new GoneOnceDispatcher();
        next.goneUntilListed = true;
        next.unavailable = true;
        KubernetesMockServer restarted = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                next, false);
        extraServers.add(restarted);
        restarted.init(InetAddress.getLoopbackAddress(), port);
        KubernetesClient admin = restarted.createClient();
        // A real etcd never reuses a resource version; this fresh mock counts from 1 again, so skip ahead.
        admin.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withNamespace("shop")
                .withName("bump").endMetadata().build()).create();
        admin.resource(pod("shop", "new", "node-a", "10.244.1.2", false).build()).create();
        admin.resource(node("node-b", Map.of(KubernetesClusterMetadata.ZONE_LABEL, "fallback-zone"), "10.0.2.10",
                "10.244.2.0/24")).create();
        next.unavailable = false;

        await().atMost(RECOVERY_WAIT).untilAsserted(() -> {
            assertThat(metadata.localPods()).extracting(PodInfo::name).containsExactly("new");
            assertThat(classify("10.0.2.10")).isEqualTo(TrafficClass.SAME_ZONE); // node-b moved to our (fallback) zone
        });
        assertThat(next.gone).contains("/api/v1/pods", "/api/v1/nodes");
        assertThat(next.paths).as("relisted after 410").anyMatch(p -> p.startsWith("/api/v1/nodes") && !p.contains("watch="))
                .anyMatch(p -> p.startsWith("/api/v1/pods?") && !p.contains("watch="));
        // Not asserted here: staleness back to 0. The mock's list of a kind with no objects may carry an older
        // resource version than its latest write, and it then closes watches from that version, so the
        // EndpointSlice watch can keep reconnecting; a real API server lists at its current version.
        admin.close();
    }

    // ---- fixtures

    private TrafficClass classify(String ip) {
        byte[] a = TrafficClassifier.literal(ip);
        return a.length == 4 ? metadata.classifyIpv4(TrafficClassifier.toInt(a))
                : metadata.classifyIpv6(TrafficClassifier.toLong(a, 0), TrafficClassifier.toLong(a, 8));
    }

    @Test
    void discoveredLoadBalancers_comeFromTheConfigMap_staticOnesWinByName_andChangesFlowThrough() {
        AgentConfig aws = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
                aws:
                  enabled: true
                  loadBalancerConfigMap: netcost-load-balancers
                  loadBalancerConfigMapNamespace: netcost-system
                loadBalancers:
                  - name: k8s-pinned-0000000000
                    type: network
                    addresses: [{ip: 10.0.9.9, zone: us-east-2c}]
                """);
        LoadBalancer alb = lb("k8s-sharedalb-1a2b3c4d5e", "10.0.1.50", "us-east-2a");
        LoadBalancer pinned = lb("k8s-pinned-0000000000", "10.0.7.7", "us-east-2a");
        create(configMap("netcost-load-balancers", List.of(alb, pinned)));
        create(configMap("unrelated", List.of(lb("k8s-other-ffffffffff", "10.0.3.3", "us-east-2a"))));
        create(awsNode());
        try (KubernetesClusterMetadata m = KubernetesClusterMetadata.builder().client(client).config(aws)
                .rebuildDelay(Duration.ofMillis(20)).build()) {
            m.start();

            await().atMost(WAIT).untilAsserted(() -> assertThat(m.loadBalancers()).extracting(LoadBalancer::name)
                    .containsExactly("k8s-pinned-0000000000", "k8s-sharedalb-1a2b3c4d5e"));
            assertThat(m.loadBalancers().get(0).addresses()).as("the configured entry wins a name clash")
                    .containsExactly(new LoadBalancer.Address("10.0.9.9", "us-east-2c"));
            await().atMost(WAIT).untilAsserted(() -> assertThat(m.nodeInfo()).as("this node's Node object")
                    .isEqualTo(new NodeInfo("node-a", "us-east-2b", "use2-az2", "us-east-2", "i-0abc1234def567890",
                            "c7g.xlarge")));
            long generation = m.generation();

            // the ALB scales out: one more ENI in another zone
            LoadBalancer scaled = new LoadBalancer(alb.name(), alb.type(), alb.id(), List.of(alb.addresses().get(0),
                    new LoadBalancer.Address("10.0.2.50", "us-east-2b")));
            client.resource(configMap("netcost-load-balancers", List.of(scaled, pinned))).update();
            await().atMost(WAIT).untilAsserted(() -> assertThat(m.loadBalancers().get(1).addresses()).hasSize(2));
            assertThat(m.generation()).isGreaterThan(generation);

            client.resource(configMap("netcost-load-balancers", List.of(scaled, pinned))).delete();
            await().atMost(WAIT).untilAsserted(() -> assertThat(m.loadBalancers()).extracting(LoadBalancer::name)
                    .containsExactly("k8s-pinned-0000000000"));
        }
    }

    @Test
    void nodeInfo_comesFromProviderIdAndLabels() {
        assertThat(KubernetesClusterMetadata.nodeInfo(awsNode())).isEqualTo(new NodeInfo("node-a", "us-east-2b",
                "use2-az2", "us-east-2", "i-0abc1234def567890", "c7g.xlarge"));
    }

    private static Node awsNode() {
        return new NodeBuilder(node("node-a", Map.of(KubernetesClusterMetadata.ZONE_LABEL, "us-east-2b",
                "topology.k8s.aws/zone-id", "use2-az2", "topology.kubernetes.io/region", "us-east-2",
                "node.kubernetes.io/instance-type", "c7g.xlarge"), "10.0.40.1", "10.244.1.0/24")).editSpec()
                .withProviderID("aws:///us-east-2b/i-0abc1234def567890").endSpec().build();
    }

    @Test
    void providerIdAlone_givesInstanceAndZone() {
        Node bare = new NodeBuilder().withNewMetadata().withName("n").endMetadata().withNewSpec()
                .withProviderID("aws:///eu-west-1c/i-0123456789abcdef0").endSpec().build();

        assertThat(KubernetesClusterMetadata.nodeInfo(bare)).isEqualTo(new NodeInfo("n", "eu-west-1c", "", "",
                "i-0123456789abcdef0", ""));
        Node gce = new NodeBuilder(bare).editSpec().withProviderID("gce://project/zone/name").endSpec().build();
        assertThat(KubernetesClusterMetadata.nodeInfo(gce).instanceId()).isEmpty();
    }

    private static LoadBalancer lb(String name, String ip, String zone) {
        return new LoadBalancer(name, LoadBalancerType.APPLICATION, "50dc6c495c0c9188",
                List.of(new LoadBalancer.Address(ip, zone)));
    }

    private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String name, List<LoadBalancer> lbs) {
        return new io.fabric8.kubernetes.api.model.ConfigMapBuilder().withNewMetadata().withNamespace("netcost-system")
                .withName(name).endMetadata().withData(LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(
                        java.time.Instant.parse("2026-03-01T12:00:00Z"), "vpc-1", lbs))).build();
    }

    private static int ip4(String ip) {
        return TrafficClassifier.toInt(TrafficClassifier.literal(ip));
    }

    private void create(io.fabric8.kubernetes.api.model.HasMetadata obj) {
        client.resource(obj).create();
    }

    private static PodBuilder pod(String ns, String name, String node, String ip, boolean hostNetwork) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid("uid-" + name)
                .addToLabels("app", name).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork).addNewContainer().withName("c")
                .withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP().endStatus();
        if (!hostNetwork && ip.startsWith("10.244.1.")) {
            b.editStatus().addNewPodIP().withIp("fd00::" + ip.substring(ip.lastIndexOf('.') + 1)).endPodIP().endStatus();
        }
        return b;
    }

    private static Pod owned(String name, String kind, String owner, Map<String, String> labels) {
        return pod("shop", name, "node-a", "10.244.1." + (10 + Math.abs(name.hashCode() % 200)), false)
                .editMetadata().addToLabels(labels).addNewOwnerReference().withApiVersion("v1").withKind(kind)
                .withName(owner).withUid("owner-" + name).withController(true).endOwnerReference().endMetadata()
                .build();
    }

    private static Node node(String name, Map<String, String> labels, String ip, String podCidr) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels(labels).endMetadata()
                .withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus().build();
    }

    private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(String ip, String zone, String node) {
        return new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder().withAddresses(ip).withZone(zone)
                .withNodeName(node).withNewConditions().withReady(true).endConditions().build();
    }

    private static EndpointSlice slice(String ns, String name,
                                       List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withAddressType("IPv4").withEndpoints(endpoints).build();
    }

    /**
     * The CRUD dispatcher, recording paths, ignoring the pods' node selector (which it cannot evaluate), and
     * optionally answering watches with 410 Gone until the resource has been listed again.
     */
    static final class GoneOnceDispatcher extends Dispatcher {
        private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
        final List<String> paths = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> gone = ConcurrentHashMap.newKeySet();
        private final Set<String> listed = ConcurrentHashMap.newKeySet();
        volatile boolean goneUntilListed;
        /** While set, reads fail with 503 (writes still work): the state can be prepared before clients see it. */
        volatile boolean unavailable;

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String path = request.getPath();
            paths.add(path);
            if (unavailable && request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET) {
                return new MockResponse().setResponseCode(503).setBody("{\"kind\":\"Status\",\"code\":503}");
            }
            String base = path.indexOf('?') < 0 ? path : path.substring(0, path.indexOf('?'));
            boolean watch = path.contains("watch=true");
            if (!watch && request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET) {
                listed.add(base);
            }
            // Like an API server whose etcd never saw the client's resource version: every watch is answered
            // 410 until the client lists again.
            if (goneUntilListed && watch && !listed.contains(base)) {
                gone.add(base);
                // As the API server does: the watch opens, then an ERROR event carries 410 Expired.
                return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket ws, Response response) {
                        ws.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                                + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
                                + "\"message\":\"too old resource version\"}}");
                    }
                });
            }
            if (path.contains(NODE_SELECTOR)) {
                // The mock cannot filter on spec fields: it is handed the request without the selector and so
                // behaves like a server that ignores it, sending every node's pods.
                String stripped = path.replace(NODE_SELECTOR + "&", "").replace("&" + NODE_SELECTOR, "")
                        .replace("?" + NODE_SELECTOR, "?");
                request = new RecordedRequest(request.getHttpVersion(), request.method(), stripped,
                        request.getHeaders(), request.getBody());
            }
            return crud.dispatch(request);
        }

        private static final String NODE_SELECTOR = "fieldSelector=spec.nodeName%3Dnode-a";
    }

    static {
        // Keep test output readable: fabric8 logs every reconnect attempt.
        System.setProperty("org.slf4j.simpleLogger.log.io.fabric8", "warn");
    }
}
