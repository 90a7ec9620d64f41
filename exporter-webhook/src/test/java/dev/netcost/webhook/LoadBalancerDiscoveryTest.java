package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.KubernetesClusterMetadata;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerConfigMap;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.testing.Ec2QueryServer;
import dev.netcost.core.testing.Ec2QueryServer.Eni;
import dev.netcost.core.testing.ManualClock;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Discovery through the real EC2 SDK client (Query API, SigV4, pagination, retries) against a local
 * EC2, publication into fabric8's mock API server (CRUD mode), and the node agents' pick-up.
 */
@EnableKubernetesMockClient(crud = true)
class LoadBalancerDiscoveryTest {
    private static final String NS = "netcost-system";
    private static final String CM = "netcost-load-balancers";
    private static final String VPC = "vpc-0abc1234";
    private static final String ALB = "k8s-sharedalb-1a2b3c4d5e";
    private static final String NLB = "k8s-default-web-0a1b2c3d4e";

    KubernetesMockServer server;
    KubernetesClient client;

    private final Ec2QueryServer ec2 = new Ec2QueryServer();
    private final RecordedObjects objects = new RecordedObjects(true);
    private final ResourceParser parser = new ResourceParser(List.of(), List.of());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock();
    private final List<Eni> enis = new ArrayList<>(List.of(
            new Eni("eni-a1", VPC, "us-east-2a", "ELB app/" + ALB + "/50dc6c495c0c9188", List.of("10.0.1.50", "10.0.1.51"),
                    List.of()),
            new Eni("eni-a2", VPC, "us-east-2b", "ELB app/" + ALB + "/50dc6c495c0c9188", List.of("10.0.33.50"),
                    List.of("2600:1f16:abc:de01::50")),
            new Eni("eni-n1", VPC, "us-east-2a", "ELB net/" + NLB + "/0a1b2c3d4e5f6a7b", List.of("10.0.2.60"), List.of()),
            new Eni("eni-x1", VPC, "us-east-2a", "ELB app/k8s-othercl-ffffffffff/1111111111111111", List.of("10.0.3.70"),
                    List.of()),
            new Eni("eni-c1", VPC, "us-east-2a", "ELB my-classic-elb", List.of("10.0.4.80"), List.of()),
            new Eni("eni-i1", VPC, "us-east-2a", "Primary network interface", List.of("10.0.5.90"), List.of()),
            new Eni("eni-v1", "vpc-0other999", "us-east-2a", "ELB app/" + ALB + "/50dc6c495c0c9188", List.of("172.31.0.5"),
                    List.of())));
    private boolean listed = true;
    private LoadBalancerDiscovery discovery;

    @BeforeEach
    void cluster() throws Exception {
        ec2.networkInterfaces(enis);
        ec2.pageSize(2);
        record(new IngressBuilder().withNewMetadata().withName("ingress-2048").withNamespace("game-2048")
                .withResourceVersion("10")
                .addToAnnotations("alb.ingress.kubernetes.io/group.name", "shared-alb").endMetadata()
                .withNewSpec().withIngressClassName("alb").addNewRule().withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("service-2048").withNewPort().withNumber(80)
                .endPort().endService().endBackend().endPath().endHttp().endRule().endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress()
                .withHostname(ALB + "-2090856886.us-east-2.elb.amazonaws.com").endIngress().endLoadBalancer().endStatus()
                .build());
        record(service("game-2048", "service-2048", Map.of("app.kubernetes.io/name", "app-2048")));
        record(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").withResourceVersion("11")
                .addToAnnotations("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal").endMetadata()
                .withNewSpec().withType("LoadBalancer").withSelector(Map.of("app", "web")).endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress()
                .withHostname(NLB + "-0123456789abcdef.elb.us-east-2.amazonaws.com").endIngress().endLoadBalancer()
                .endStatus().build());
        discovery = discovery(Duration.ofSeconds(10), meters);
    }

    private LoadBalancerDiscovery discovery(Duration timeout, SimpleMeterRegistry registry) {
        AwsConfig aws = new AwsConfig(true, "us-east-2", VPC, ec2.endpoint() /* IMDS is never asked here */,
                ec2.endpoint(), null, timeout, Duration.ofHours(1), Duration.ofMinutes(2), CM, NS, "", "", "");
        return new LoadBalancerDiscovery(aws, Map.of("AWS_ACCESS_KEY_ID", "AKIAWEBHOOKTEST00001",
                "AWS_SECRET_ACCESS_KEY", "s"), objects, new LoadBalancerPublisher(client, NS, CM, clock),
                () -> listed, () -> true, registry, clock);
    }

    @AfterEach
    void stop() {
        discovery.close();
        ec2.close();
    }

    private void record(HasMetadata obj) throws Exception {
        var tree = new ObjectMapper().readTree(client.getKubernetesSerialization().asJson(obj));
        if (obj instanceof io.fabric8.kubernetes.api.model.Service) {
            ServiceState s = parser.service(tree, "");
            objects.services.admit(s.key(), s, ResourceParser.resourceVersion(tree));
        } else {
            IngressState s = parser.ingress(tree, "");
            objects.ingresses.admit(s.key(), s, ResourceParser.resourceVersion(tree));
        }
    }

    private static io.fabric8.kubernetes.api.model.Service service(String namespace, String name, Map<String, String> selector) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(namespace).withResourceVersion("12")
                .endMetadata().withNewSpec().withSelector(selector).endSpec().build();
    }

    /** An Ingress of the shared ALB's group in {@code namespace}, sending to {@code backend}. */
    private static io.fabric8.kubernetes.api.model.networking.v1.Ingress groupIngress(String namespace,
            io.fabric8.kubernetes.api.model.networking.v1.IngressBackend backend) {
        return new IngressBuilder().withNewMetadata().withName("shop").withNamespace(namespace).withResourceVersion("13")
                .addToAnnotations("alb.ingress.kubernetes.io/group.name", "shared-alb").endMetadata()
                .withNewSpec().withIngressClassName("alb").withDefaultBackend(backend).endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress()
                .withHostname(ALB + "-2090856886.us-east-2.elb.amazonaws.com").endIngress().endLoadBalancer().endStatus()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.networking.v1.IngressBackend serviceBackend(String name, String port) {
        var b = new io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder().withNewService().withName(name);
        return (port.matches("[0-9]+") ? b.withNewPort().withNumber(Integer.parseInt(port)) : b.withNewPort().withName(port))
                .endPort().endService().build();
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(NS).withName(CM).get();
    }

    private Map<String, LoadBalancer> published() {
        Map<String, LoadBalancer> out = new java.util.TreeMap<>();
        LoadBalancerConfigMap.decode(configMap().getData()).loadBalancers().forEach(lb -> out.put(lb.name(), lb));
        return out;
    }

    @Test
    void publishesOnlyThisClustersLoadBalancers_withEveryEniAddressAndZone() {
        assertThat(discovery.discover()).isTrue();

        Map<String, LoadBalancer> lbs = published();
        assertThat(lbs).containsOnlyKeys(ALB, NLB);
        assertThat(lbs.get(ALB)).isEqualTo(new LoadBalancer(ALB, LoadBalancerType.APPLICATION, "50dc6c495c0c9188",
                List.of(new LoadBalancer.Address("10.0.1.50", "us-east-2a"), new LoadBalancer.Address("10.0.1.51", "us-east-2a"),
                        new LoadBalancer.Address("10.0.33.50", "us-east-2b"),
                        new LoadBalancer.Address("2600:1f16:abc:de01::50", "us-east-2b")),
                LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("game-2048", Map.of("app.kubernetes.io/name", "app-2048"))))));
        assertThat(lbs.get(NLB).targets()).isEqualTo(LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("default",
                Map.of("app", "web")))));
        assertThat(lbs.get(NLB).type()).isEqualTo(LoadBalancerType.NETWORK);
        assertThat(lbs.get(NLB).addresses()).containsExactly(new LoadBalancer.Address("10.0.2.60", "us-east-2a"));
        assertThat(LoadBalancerConfigMap.decode(configMap().getData()).vpcId()).isEqualTo(VPC);

        List<Ec2QueryServer.Request> calls = ec2.requests("DescribeNetworkInterfaces");
        assertThat(calls).as("4 ELBv2 ENIs in the VPC, pages of 2").hasSize(2);
        assertThat(calls.get(0).params()).containsEntry("Filter.1.Name", "description")
                .containsEntry("Filter.1.Value.1", "ELB app/*").containsEntry("Filter.1.Value.2", "ELB net/*")
                .containsEntry("Filter.2.Name", "vpc-id").containsEntry("Filter.2.Value.1", VPC);
        assertThat(calls.get(1).params()).containsEntry("NextToken", "tok-2");
        assertThat(calls.get(0).authorization()).contains("Credential=AKIAWEBHOOKTEST00001/")
                .contains("/us-east-2/ec2/aws4_request");
        assertThat(discovery.ofCluster()).containsOnlyKeys(ALB, NLB);
    }

    @Test
    void eniAddedOrRemoved_isRepublished_andAnUnchangedRoundWritesNothing() {
        assertThat(discovery.discover()).isTrue();
        String version = configMap().getMetadata().getResourceVersion();
        String updated = LoadBalancerConfigMap.decode(configMap().getData()).updated().toString();

        clock.advance(Duration.ofMinutes(2));
        assertThat(discovery.discover()).isTrue();
        assertThat(configMap().getMetadata().getResourceVersion()).as("nothing changed: no update").isEqualTo(version);

        enis.add(new Eni("eni-a3", VPC, "us-east-2c", "ELB app/" + ALB + "/50dc6c495c0c9188", List.of("10.0.65.50"),
                List.of()));
        ec2.networkInterfaces(enis);
        clock.advance(Duration.ofMinutes(2));
        assertThat(discovery.discover()).isTrue();
        assertThat(published().get(ALB).addresses()).contains(new LoadBalancer.Address("10.0.65.50", "us-east-2c"));
        assertThat(LoadBalancerConfigMap.decode(configMap().getData()).updated().toString()).isNotEqualTo(updated);

        enis.removeIf(e -> e.id().equals("eni-n1"));
        ec2.networkInterfaces(enis);
        assertThat(discovery.discover()).isTrue();
        assertThat(published()).containsOnlyKeys(ALB);
    }

    @Test
    void ec2Failing_keepsTheLastPublishedList_countsIt_andStalenessGrows() {
        assertThat(discovery.discover()).isTrue();
        String version = configMap().getMetadata().getResourceVersion();

        ec2.failNext(100, 503, "RequestLimitExceeded");
        clock.advance(Duration.ofMinutes(6));
        assertThat(discovery.discover()).isFalse();

        assertThat(configMap().getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(discovery.ofCluster()).containsOnlyKeys(ALB, NLB);
        assertThat(meters.get("netcost.agent.webhook.discovery.staleness").gauge().value()).isEqualTo(360.0);
        assertThat(meters.get("netcost.agent.webhook.discoveries").tag("result", "failure").counter().count())
                .isEqualTo(1.0);

        ec2.failNext(0, 200, "");
        ec2.delayNext(100, Duration.ofSeconds(3));
        try (LoadBalancerDiscovery impatient = discovery(Duration.ofMillis(300), new SimpleMeterRegistry())) {
            assertThat(impatient.discover()).as("every attempt timed out").isFalse();
        }
        ec2.delayNext(0, Duration.ZERO);
        assertThat(discovery.discover()).isTrue();
        assertThat(meters.get("netcost.agent.webhook.discovery.staleness").gauge().value()).isZero();
    }

    @Test
    void nothingIsPublished_beforeIngressesAndServicesWereListed() {
        listed = false;

        assertThat(discovery.discover()).isFalse();

        assertThat(configMap()).isNull();
        assertThat(ec2.requests()).isEmpty();
    }

    @Test
    void nodeAgents_pickUpThePublishedList_andItsChanges() {
        AgentConfig node = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
                aws:
                  enabled: true
                  loadBalancerConfigMap: %s
                  loadBalancerConfigMapNamespace: %s
                """.formatted(CM, NS));
        try (KubernetesClusterMetadata metadata = KubernetesClusterMetadata.builder().client(client).config(node)
                .rebuildDelay(Duration.ofMillis(20)).build()) {
            metadata.start();
            assertThat(discovery.discover()).isTrue();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(metadata.loadBalancers())
                    .extracting(LoadBalancer::name).containsExactlyInAnyOrder(ALB, NLB));
            assertThat(metadata.loadBalancers()).extracting(LoadBalancer::targets).containsOnly(
                    LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("game-2048", Map.of("app.kubernetes.io/name", "app-2048")))),
                    LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("default", Map.of("app", "web")))));

            enis.removeIf(e -> e.id().equals("eni-a2"));
            ec2.networkInterfaces(enis);
            assertThat(discovery.discover()).isTrue();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(metadata.loadBalancers().stream()
                    .filter(lb -> lb.name().equals(ALB)).findFirst().orElseThrow().addresses())
                    .extracting(LoadBalancer.Address::zone).containsOnly("us-east-2a"));
        }
    }

    @Test
    void targets_areEveryBackendServiceOfTheGroupsIngresses_inTheirOwnNamespaces_andPublished() throws Exception {
        record(groupIngress("shop", serviceBackend("web", "http")));
        record(service("shop", "web", Map.of("app", "shop-web", "tier", "front")));
        record(service("other", "web", Map.of("app", "not-this-one")));

        assertThat(discovery.discover()).isTrue();

        assertThat(published().get(ALB).targets()).isEqualTo(LoadBalancer.Targets.of(List.of(
                new LoadBalancer.Target("game-2048", Map.of("app.kubernetes.io/name", "app-2048")),
                new LoadBalancer.Target("shop", Map.of("app", "shop-web", "tier", "front")))));
        assertThat(configMap().getData().get(LoadBalancerConfigMap.DATA_KEY)).contains("\"targets\":[{\"namespace\":\"game-2048\"");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "a backend Service that is not recorded, missing, 80",
            "a Service without a selector, manual, 80",
            "an ALB action, ssl-redirect, use-annotation",
            "a resource backend, resource, ''"})
    void targets_areUnknown_assoonAsOneBackendOfTheLoadBalancerIsNotProvable(String why, String backend, String port)
            throws Exception {
        record(service("shop", "manual", Map.of()));
        record(groupIngress("shop", backend.equals("resource")
                ? new io.fabric8.kubernetes.api.model.networking.v1.IngressBackendBuilder()
                        .withNewResource("k8s.example.com", "StorageBucket", "static").build()
                : serviceBackend(backend, port)));

        assertThat(discovery.discover()).isTrue();

        assertThat(published().get(ALB).targets()).as(why).isEqualTo(LoadBalancer.Targets.UNKNOWN);
        assertThat(published().get(NLB).targets().known()).as("another load balancer keeps its own").isTrue();
        assertThat(configMap().getData().get(LoadBalancerConfigMap.DATA_KEY)).contains("\"name\":\"" + NLB + "\"")
                .containsOnlyOnce("\"targets\"");
    }

    @Test
    void aLoadBalancerServiceWithoutSelector_hasUnknownTargets() throws Exception {
        record(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default").withResourceVersion("14")
                .endMetadata().withNewSpec().withType("LoadBalancer").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress()
                .withHostname(NLB + "-0123456789abcdef.elb.us-east-2.amazonaws.com").endIngress().endLoadBalancer()
                .endStatus().build());

        assertThat(discovery.discover()).isTrue();

        assertThat(published().get(NLB).targets()).isEqualTo(LoadBalancer.Targets.UNKNOWN);
    }

    @Test
    void loadBalancerInfo_joinsTheAlbGroupAndSchemeToTheAwsName() {
        assertThat(discovery.discover()).isTrue();
        List<String> series = new ArrayList<>();

        new WebhookExporter(objects, parser, null).emitLoadBalancers(discovery.ofCluster(), Map.of(),
                (labels, value, ts) -> series.add(labels + " " + value));

        assertThat(series).containsExactlyInAnyOrder(
                "netcost_load_balancer_info{alb_group=\"shared-alb\",dns_name=\"" + ALB
                        + "-2090856886.us-east-2.elb.amazonaws.com\",load_balancer=\"" + ALB
                        + "\",load_balancer_id=\"50dc6c495c0c9188\",load_balancer_type=\"application\","
                        + "scheme=\"internet-facing\"} 1.0",
                "netcost_load_balancer_info{dns_name=\"" + NLB + "-0123456789abcdef.elb.us-east-2.amazonaws.com\","
                        + "load_balancer=\"" + NLB + "\",load_balancer_id=\"0a1b2c3d4e5f6a7b\","
                        + "load_balancer_type=\"network\",scheme=\"internal\"} 1.0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "null", value = {
            "k8s-game2048-ingress2-01278469b7-2090856886.us-east-2.elb.amazonaws.com, k8s-game2048-ingress2-01278469b7",
            "internal-k8s-shared-1a2b3c4d5e-123456789.eu-west-1.elb.amazonaws.com, k8s-shared-1a2b3c4d5e",
            "K8S-Default-Web-0A1B2C3D4E-0123456789abcdef.elb.us-east-2.amazonaws.com., k8s-default-web-0a1b2c3d4e",
            "my-alb-123.cn-north-1.elb.amazonaws.com.cn, my-alb",
            "a1b2c3.cloudfront.net, null",
            "ingress.example.com, null",
            "noname.us-east-2.elb.amazonaws.com, null"})
    void nameFromHostname_readsTheElbDnsNameOnly(String hostname, String name) {
        assertThat(LoadBalancerDiscovery.nameFromHostname(hostname)).isEqualTo(name);
    }
}
