package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.spi.ExporterFactory;
import dev.netcost.webhook.WebhookConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a real EKS cluster needs from the chart (issue 16): mixed EC2 / Fargate / Windows nodes, node
 * drains, a kube-prometheus-stack that scrapes the kubelet too, overlay CNIs, and a clean uninstall.
 */
class EksInstallTest {
    @TempDir
    Path tmp;

    private static final Map<String, String> POD_ENV = Map.of("NODE_NAME", "ip-10-0-1-2.us-east-2.compute.internal",
            "NODE_IP", "10.0.1.2", "POD_NAME", "netcost-node-x7k2p", "POD_NAMESPACE", Chart.NAMESPACE);

    private Chart render(String values, Map<String, Object> set) throws Exception {
        return Chart.render(tmp, values, set);
    }

    private Chart render(Map<String, Object> set) throws Exception {
        return render("", set);
    }

    /** A ConfigMap's config as the agent loads it, with the env the pod spec gives it. */
    private static AgentConfig load(ConfigMap cm, Map<String, String> env) {
        List<ExporterFactory<?>> factories = new ArrayList<>();
        ServiceLoader.load(ExporterFactory.class).forEach(factories::add);
        return new ConfigLoader(env, factories).loadString(cm.getData().get("netcost.yaml"));
    }

    private static PodSpec nodePod(Chart c) {
        return c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
    }

    private static PodSpec webhookPod(Chart c) {
        return c.one(Deployment.class, "-webhook").getSpec().getTemplate().getSpec();
    }

    // --- scheduling ---

    @Test
    void nodeAgent_staysOffFargateAndVirtualKubelets_andOnLinux_whileToleratingEveryTaint() throws Exception {
        PodSpec pod = nodePod(render(Map.of()));

        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        List<NodeSelectorRequirement> required = pod.getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0).getMatchExpressions();
        assertThat(required).anySatisfy(r -> {
            assertThat(r.getKey()).isEqualTo("eks.amazonaws.com/compute-type");
            assertThat(r.getOperator()).isEqualTo("NotIn");
            assertThat(r.getValues()).containsExactly("fargate");
        });
        assertThat(required).anySatisfy(r -> {
            assertThat(r.getKey()).isEqualTo("type");
            assertThat(r.getOperator()).isEqualTo("NotIn");
            assertThat(r.getValues()).containsExactly("virtual-kubelet");
        });
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
    }

    @Test
    void webhook_spreadsOverZones_withPriorityAndPodLabels() throws Exception {
        Chart c = render("""
                webhook:
                  priorityClassName: system-cluster-critical
                  podLabels: {team: platform}
                nodeAgent:
                  priorityClassName: system-node-critical
                  podLabels: {team: platform}
                """, Map.of());
        PodSpec pod = webhookPod(c);
        Deployment d = c.one(Deployment.class, "-webhook");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(nodePod(c).getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform")
                .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
        assertThat(c.one(DaemonSet.class, "-node").getSpec().getTemplate().getMetadata().getLabels())
                .containsEntry("team", "platform");
        TopologySpreadConstraint spread = pod.getTopologySpreadConstraints().get(0);
        assertThat(spread.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
        assertThat(spread.getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
        assertThat(spread.getLabelSelector().getMatchLabels()).as("the chart fills in the webhook's selector")
                .isEqualTo(d.getSpec().getSelector().getMatchLabels());
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    }

    // --- disruption budget ---

    static Stream<Arguments> budgets() {
        return Stream.of(Arguments.of(1, true, false), Arguments.of(2, true, true), Arguments.of(3, true, true),
                Arguments.of(2, false, false), Arguments.of(0, true, false));
    }

    @ParameterizedTest(name = "replicas={0}, enabled={1}: budget={2}")
    @MethodSource("budgets")
    void pdb_isRenderedOnlyWhereItCannotBlockADrain(int replicas, boolean enabled, boolean expected) throws Exception {
        Chart c = render(Map.of("webhook.replicas", replicas, "webhook.podDisruptionBudget.enabled", enabled));
        assertThat(c.find(PodDisruptionBudget.class, "-webhook").isPresent()).isEqualTo(expected);
        c.find(PodDisruptionBudget.class, "-webhook").ifPresent(p ->
                assertThat(p.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1));
    }

    // --- ports and what the debug endpoint shows ---

    @Test
    void nodeDebugPort_avoidsTheCsiLivenessProbes_andDebugPagesStayOnTheNode() throws Exception {
        Chart c = render(Map.of());
        AgentConfig node = load(c.one(ConfigMap.class, "-node"), POD_ENV);
        Container agent = nodePod(c).getContainers().get(0);

        assertThat(node.debug().listen().port()).isNotIn(9808, 9809, 9810).isEqualTo(9818);
        assertThat(node.debug().listen().host()).as("/metrics scrapeable from the node's address").isEqualTo("0.0.0.0");
        assertThat(node.debug().pagesLoopbackOnly()).as("/debug/* not served to the VPC").isTrue();
        assertThat(agent.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(9818);
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void webhookDebugPort_isItsOwn_notTheNodeAgents() throws Exception {
        Chart c = render(Map.of("nodeAgent.debugPort", 9900, "webhook.debugPort", 9901));
        AgentConfig webhook = load(c.one(ConfigMap.class, "-webhook"), POD_ENV);
        AgentConfig node = load(c.one(ConfigMap.class, "-node"), POD_ENV);

        assertThat(node.debug().listen().port()).isEqualTo(9900);
        assertThat(webhook.debug().listen().port()).isEqualTo(9901);
        assertThat(webhook.debug().pagesLoopbackOnly()).isTrue();
        assertThat(webhookPod(c).getContainers().get(0).getPorts()).extracting(p -> p.getName() + ":" + p.getContainerPort())
                .containsExactlyInAnyOrder("https:8443", "debug:9901");
    }

    @Test
    void webhookOnTheHostNetwork_servesItsOwnPort_andNeverSharesANode() throws Exception {
        Chart c = render(Map.of("webhook.hostNetwork", true, "webhook.port", 10270));
        PodSpec pod = webhookPod(c);
        WebhookConfig wc = load(c.one(ConfigMap.class, "-webhook"), POD_ENV).exporterConfig("webhook", WebhookConfig.class);

        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(wc.listen().port()).isEqualTo(10270);
        assertThat(pod.getContainers().get(0).getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("https");
            assertThat(p.getContainerPort()).isEqualTo(10270);
        });
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
                .singleElement().satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        assertThat(webhookPod(render(Map.of())).getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    }

    // --- labels that keep netcost's series apart ---

    @Test
    void everySeries_carriesClusterAndJob_inBothProcesses() throws Exception {
        Chart c = render(Map.of());
        for (String component : List.of("-node", "-webhook")) {
            assertThat(load(c.one(ConfigMap.class, component), POD_ENV).externalLabels()).as(component)
                    .containsExactly(Map.entry("cluster", "prod-us-east-2"), Map.entry("job", "netcost"));
        }
        AgentConfig more = load(render("""
                externalLabels: {job: netcost-eu, region: eu-west-1}
                """, Map.of()).one(ConfigMap.class, "-node"), POD_ENV);
        assertThat(more.externalLabels()).containsExactly(Map.entry("cluster", "prod-us-east-2"),
                Map.entry("job", "netcost-eu"), Map.entry("region", "eu-west-1"));
    }

    // --- required values ---

    @Test
    void withoutImageRepository_renderingFails_sayingHowToBuildAndPushOne() {
        assertThatThrownBy(() -> Chart.render(tmp, Chart.RELEASE, "cluster: prod\n", "", Map.of()))
                .hasMessageContaining("image.repository is required").hasMessageContaining("scripts/build-image.sh")
                .hasMessageContaining("--set image.repository=");
    }

    @Test
    void withoutCluster_renderingFails_namingTheValue() {
        assertThatThrownBy(() -> Chart.render(tmp, Chart.RELEASE, "image: {repository: r/netcost}\n", "", Map.of()))
                .hasMessageContaining("cluster is required").hasMessageContaining("--set cluster=");
    }

    // --- leader election ---

    @Test
    void lease_isPerRelease_andTheWebhookMayWriteOnlyThatOne() throws Exception {
        Chart a = render(Map.of());
        Chart b = Chart.render(tmp, "netcost-canary", Chart.REQUIRED, "", Map.of());
        WebhookConfig.LeaderElectionConfig la = leaderElection(a);
        WebhookConfig.LeaderElectionConfig lb = leaderElection(b);

        assertThat(la.name()).isNotEqualTo(lb.name());
        assertThat(la.namespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(la.identity()).as("the pod's name, from the downward API").isEqualTo("netcost-node-x7k2p");
        PolicyRule named = a.one(Role.class, "-webhook").getRules().stream()
                .filter(r -> r.getResources().contains("leases") && !r.getResourceNames().isEmpty()).findFirst().orElseThrow();
        assertThat(named.getResourceNames()).containsExactly(la.name());
        assertThat(named.getVerbs()).containsExactlyInAnyOrder("get", "update");
    }

    private WebhookConfig.LeaderElectionConfig leaderElection(Chart c) {
        return load(c.one(ConfigMap.class, "-webhook"), POD_ENV).exporterConfig("webhook", WebhookConfig.class)
                .leaderElection();
    }

    /** Every variable the pod spec sets is read: by the config (${VAR}) or by the agent itself (NODE_IP). */
    @Test
    void downwardApiVariables_areEachUsed() throws Exception {
        Chart c = render(Map.of());
        Map<String, String> readByTheAgentItself = Map.of("NODE_IP", "cadvisor's default kubelet URL",
                "MALLOC_ARENA_MAX", "glibc's malloc");
        for (String component : List.of("-node", "-webhook")) {
            String config = c.one(ConfigMap.class, component).getData().get("netcost.yaml");
            PodSpec pod = component.equals("-node") ? nodePod(c) : webhookPod(c);
            for (EnvVar v : pod.getContainers().get(0).getEnv()) {
                assertThat(config.contains("${" + v.getName() + "}") || readByTheAgentItself.containsKey(v.getName()))
                        .as("%s sets %s; nothing reads it", component, v.getName()).isTrue();
            }
        }
        AgentConfig node = load(c.one(ConfigMap.class, "-node"), POD_ENV);
        assertThat(node.kubernetes().podName()).isEqualTo("netcost-node-x7k2p");
        assertThat(node.kubernetes().podNamespace()).isEqualTo(Chart.NAMESPACE);
    }

    // --- uninstall ---

    /**
     * helm uninstall deletes the DaemonSet; each agent then sees (own pod → owner → DaemonSet gone) that it
     * leaves the node and removes its rules: the config asks for it, and RBAC allows exactly those reads.
     */
    @Test
    void uninstall_agentsMayTellTheirDaemonSetIsGone_andCleanUp() throws Exception {
        Chart c = render(Map.of());
        AgentConfig node = load(c.one(ConfigMap.class, "-node"), POD_ENV);
        DaemonSet ds = c.one(DaemonSet.class, "-node");
        assertThat(node.kubernetes().knowsOwnPod()).isTrue();
        assertThat(node.exporters().get("iptables").toString()).contains("cleanupOnUninstall=true", "cleanupOnExit=false");

        PolicyRule ownDaemonSet = c.one(Role.class, "-node").getRules().get(0);
        assertThat(ownDaemonSet.getApiGroups()).containsExactly("apps");
        assertThat(ownDaemonSet.getResources()).containsExactly("daemonsets");
        assertThat(ownDaemonSet.getResourceNames()).containsExactly(ds.getMetadata().getName());
        assertThat(ownDaemonSet.getVerbs()).containsExactly("get");
        assertThat(c.one(ClusterRole.class, "-node").getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("pods");
            assertThat(r.getVerbs()).containsExactly("get");
        });
        assertThat(c.one(RoleBinding.class, "-node").getSubjects()).extracting(Subject::getName)
                .containsExactly(nodePod(c).getServiceAccountName());

        AgentConfig off = load(render(Map.of("exporters.iptables.cleanupOnUninstall", false))
                .one(ConfigMap.class, "-node"), POD_ENV);
        assertThat(off.exporters().get("iptables").toString()).contains("cleanupOnUninstall=false");
    }

    // --- service accounts ---

    @Test
    void serviceAccounts_generatedByDefault_orOneExistingNamed() throws Exception {
        Chart generated = render(Map.of());
        assertThat(generated.all(ServiceAccount.class)).extracting(sa -> sa.getMetadata().getName())
                .containsExactlyInAnyOrder("netcost-netcost-agent-node", "netcost-netcost-agent-webhook");

        Chart existing = render(Map.of("serviceAccount.create", false, "serviceAccount.name", "netcost-irsa"));
        assertThat(existing.all(ServiceAccount.class)).isEmpty();
        assertThat(nodePod(existing).getServiceAccountName()).isEqualTo("netcost-irsa");
        assertThat(webhookPod(existing).getServiceAccountName()).isEqualTo("netcost-irsa");
        List<Subject> subjects = new ArrayList<>();
        existing.all(ClusterRoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
        existing.all(RoleBinding.class).forEach(b -> subjects.addAll(b.getSubjects()));
        assertThat(subjects).isNotEmpty().allSatisfy(s -> assertThat(s.getName()).isEqualTo("netcost-irsa"));

        Chart oneCreated = render(Map.of("serviceAccount.name", "netcost"));
        assertThat(oneCreated.all(ServiceAccount.class)).singleElement()
                .satisfies(sa -> assertThat(sa.getMetadata().getName()).isEqualTo("netcost"));

        assertThatThrownBy(() -> render(Map.of("serviceAccount.create", false)))
                .hasMessageContaining("set serviceAccount.name");
    }

    // --- strict schema ---

    static Stream<Arguments> misspelledKeys() {
        return Stream.of(
                Arguments.of("nodeagent: {debugPort: 9900}\n", "nodeagent"),
                Arguments.of("webhook: {namespaceSelectr: {matchLabels: {a: b}}}\n", "namespaceSelectr"),
                Arguments.of("exporters: {iptables: {enable: false}}\n", "enable"),
                Arguments.of("nodeAgent: {resources: {limit: {memory: 1Gi}}}\n", "limit"),
                Arguments.of("nodeAgent: {tolerations: [{operater: Exists}]}\n", "operater"),
                Arguments.of("webhook: {tls: {certManager: {issuerRef: {nam: ca}}}}\n", "nam"),
                Arguments.of("image: {repo: x}\n", "repo"),
                Arguments.of("serviceAccount: {annotation: {}}\n", "annotation"),
                Arguments.of("clusterName: prod\n", "clusterName"),
                Arguments.of("webhook: {topologySpreadConstraints: [{maxSkew: 1, topologyKey: z, whenUnsatisfiable: Maybe}]}\n",
                        "whenUnsatisfiable"),
                Arguments.of("externalLabels: {cluster-name: x}\n", "cluster-name"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("misspelledKeys")
    void schemaRejectsMisspelledKeysAndBadTypes_namingThem(String values, String key) {
        assertThatThrownBy(() -> render(values, Map.of()))
                .hasMessageContaining("values don't meet the specifications of the schema").hasMessageContaining(key);
    }

    /** NOTES.txt, as helm install prints it (a client-only dry run): the queries select on job and cluster. */
    @Test
    void installNotes_queryWithJobAndCluster() throws Exception {
        Path values = Files.writeString(tmp.resolve("notes.yaml"), Chart.REQUIRED);
        String notes = new com.marcnuri.helm.Helm(Chart.RENDERED).install().withName(Chart.RELEASE)
                .withNamespace(Chart.NAMESPACE).withValuesFile(values).clientOnly().dryRun().call().getOutput();
        assertThat(notes).contains("cluster \"prod-us-east-2\"")
                .contains("cluster=\"prod-us-east-2\" job=\"netcost\"")
                .contains("rate(container_network_transmit_bytes_total{job=\"netcost\",cluster=\"prod-us-east-2\"}[5m])")
                .contains("netcost_pod_network_bytes_total{job=\"netcost\",cluster=\"prod-us-east-2\",direction=\"egress\"}")
                .contains("port-forward daemonset/netcost-netcost-agent-node 9818")
                .contains("--web.enable-remote-write-receiver")
                .contains("helm uninstall removes them");
    }

    @Test
    void kubeVersion_isDeclared() throws Exception {
        assertThat(Files.readString(Chart.DIR.resolve("Chart.yaml"))).containsPattern("(?m)^kubeVersion: \">=1\\.\\d+\\.0-0\"$");
    }
}
