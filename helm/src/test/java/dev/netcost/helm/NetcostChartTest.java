package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.spi.ExporterFactory;
import dev.netcost.webhook.SelfManagedTlsConfig;
import dev.netcost.webhook.WebhookConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetcostChartTest {
    @TempDir
    Path tmp;

    private static final String ONE_ENDPOINT = """
            remoteWrite:
              - url: http://prometheus.monitoring:9090/api/v1/write
            """;

    private static final String TWO_ENDPOINTS = """
            remoteWrite:
              - name: amp
                url: https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write
                bearerTokenSecret: {name: amp-token, key: token}
                tls: {caSecret: {name: amp-ca, key: ca.crt}}
              - name: vm
                url: http://vminsert.monitoring:8480/insert/0/prometheus/api/v1/write
                basicAuth: {username: netcost, passwordSecret: {name: vm-basic, key: password}}
                headers: {X-Scope-OrgID: platform}
            serviceAccount:
              annotations:
                eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/netcost-amp-writer
            """;

    private Chart render(String values, Map<String, Object> set) throws Exception {
        return Chart.render(tmp, values, set);
    }

    private Chart render(String values) throws Exception {
        return render(values, Map.of());
    }

    /** helm lint renders with the chart's own values, so it lints a copy whose values hold the required two (and no kubeVersion: see Chart.RENDERED). */
    @Test
    void lintStrictPasses_withoutAnyMessage_givenTheRequiredValues() throws Exception {
        Path copy = Chart.copyWithoutKubeVersion(tmp.resolve("netcost-agent"));
        String values = Files.readString(copy.resolve("values.yaml"))
                .replaceFirst("(?m)^cluster: \"\"$", "cluster: prod-us-east-2")
                .replaceFirst("(?m)^  repository: \"\"$", "  repository: 123456789012.dkr.ecr.us-east-2.amazonaws.com/netcost-agent");
        Files.writeString(copy.resolve("values.yaml"), values);
        LintResult r = new Helm(copy).lint().strict().call();
        assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
        assertThat(r.getMessages()).filteredOn(m -> !m.startsWith("[INFO] Chart.yaml: icon is recommended")).isEmpty();
    }

    @Test
    void chartVersionMatchesTheProject() throws Exception {
        assertThat(Files.readString(Chart.DIR.resolve("Chart.yaml")))
                .contains("appVersion: \"" + System.getProperty("netcost.version") + "\"");
    }

    static Stream<Arguments> matrix() {
        return Stream.of(
                Arguments.of("defaults", "", Map.of()),
                Arguments.of("one endpoint", ONE_ENDPOINT, Map.of()),
                Arguments.of("cert-manager", ONE_ENDPOINT, Map.of("webhook.tls.mode", "certManager")),
                Arguments.of("webhook off", ONE_ENDPOINT, Map.of("webhook.enabled", false)),
                Arguments.of("iptables off", ONE_ENDPOINT, Map.of("exporters.iptables.enabled", false)),
                Arguments.of("cadvisor off", ONE_ENDPOINT, Map.of("exporters.cadvisor.enabled", false)),
                Arguments.of("two endpoints with secrets", TWO_ENDPOINTS, Map.of()),
                Arguments.of("local file", "", Map.of("output.type", "localFile")),
                Arguments.of("webhook on the host network", ONE_ENDPOINT, Map.of("webhook.hostNetwork", true,
                        "webhook.port", 10270)),
                Arguments.of("one webhook replica", ONE_ENDPOINT, Map.of("webhook.replicas", 1)),
                Arguments.of("existing service account", ONE_ENDPOINT, Map.of("serviceAccount.create", false,
                        "serviceAccount.name", "netcost-irsa")),
                Arguments.of("placement", ONE_ENDPOINT + """
                        nodeAgent:
                          tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]
                          nodeSelector: {kubernetes.io/os: linux}
                          priorityClassName: system-node-critical
                        webhook:
                          namespaceSelector: {matchLabels: {netcost.dev/record: "true"}}
                        classification:
                          zones: {us-east-2a: [10.0.0.0/19], us-east-2b: [10.0.32.0/19]}
                          vpc: [10.0.0.0/16]
                        """, Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void rendersSafely(String name, String values, Map<String, Object> set) throws Exception {
        Chart c = render(values, set);
        DaemonSet ds = c.one(DaemonSet.class, "-node");
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container agent = pod.getContainers().get(0);
        boolean iptables = !Boolean.FALSE.equals(set.get("exporters.iptables.enabled"));

        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(agent.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        if (iptables) {
            assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactlyInAnyOrder("NET_ADMIN", "NET_RAW");
            assertThat(pod.getHostNetwork()).isTrue();
        } else {
            assertThat(agent.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(agent.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getHostNetwork()).isFalse();
        }
        // every host path but the queue's own folder (dataDir) is read-only
        List<String> hostVolumes = pod.getVolumes().stream().filter(v -> v.getHostPath() != null)
                .filter(v -> !v.getName().equals("state")).map(Volume::getName).toList();
        assertThat(agent.getVolumeMounts()).filteredOn(m -> hostVolumes.contains(m.getName()))
                .as("host paths are mounted read-only").allMatch(m -> Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(hostVolumes.isEmpty()).isEqualTo(!iptables);
        assertThat(agent.getEnv()).filteredOn(e -> e.getValueFrom() != null)
                .extracting(e -> e.getValueFrom().getFieldRef().getFieldPath())
                .contains("spec.nodeName", "status.hostIP");
        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(pod.getTolerations()).isNotEmpty();
        assertThat(agent.getResources().getLimits()).containsKey("memory");
        assertThat(agent.getArgs()).anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));

        // probes hit the port the agent's config listens on
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-node"));
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(agent.getPorts()).filteredOn(p -> p.getName().equals(agent.getReadinessProbe().getHttpGet().getPort().getStrVal()))
                .extracting(p -> p.getContainerPort()).containsExactly(cfg.debug().listen().port());
        assertThat(cfg.kubernetes().enabled()).isTrue();
        assertThat(cfg.exporters().get("iptables").toString()).contains("enabled=" + iptables, "cleanupOnExit=false");
        assertThat(cfg.nodeName()).isEqualTo("node-from-downward-api");

        assertNoWildcardsAndLeastPrivilege(c);
        assertCredentialsOnlyByReference(c);

        boolean webhook = !Boolean.FALSE.equals(set.get("webhook.enabled"));
        assertThat(c.find(ValidatingWebhookConfiguration.class, "-webhook").isPresent()).isEqualTo(webhook);
        assertThat(c.find(Deployment.class, "-webhook").isPresent()).isEqualTo(webhook);
        if (webhook) {
            assertWebhook(c, "certManager".equals(set.get("webhook.tls.mode")));
        }
    }

    private AgentConfig loadAgentConfig(ConfigMap cm) {
        List<ExporterFactory<?>> factories = new ArrayList<>();
        ServiceLoader.load(ExporterFactory.class).forEach(factories::add);
        return new ConfigLoader(Map.of("NODE_NAME", "node-from-downward-api", "NODE_IP", "10.0.1.2",
                "POD_NAME", "netcost-node-x7k2p", "POD_NAMESPACE", Chart.NAMESPACE), factories)
                .loadString(cm.getData().get("netcost.yaml"));
    }

    private static void assertWebhook(Chart c, boolean certManager) {
        ValidatingWebhookConfiguration vwc = c.one(ValidatingWebhookConfiguration.class, "-webhook");
        ValidatingWebhook w = vwc.getWebhooks().get(0);
        assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(w.getTimeoutSeconds()).isEqualTo(1);
        assertThat(w.getSideEffects()).isEqualTo("None");
        assertThat(w.getAdmissionReviewVersions()).containsExactly("v1", "v1beta1");
        assertThat(w.getRules()).flatExtracting(r -> r.getResources()).containsExactlyInAnyOrder("ingresses",
                "ingresses/status", "ingressclasses", "services", "services/status");
        assertThat(w.getRules()).allSatisfy(r -> assertThat(r.getOperations()).containsExactlyInAnyOrder("CREATE", "UPDATE", "DELETE"));
        assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/validate");

        Deployment d = c.one(Deployment.class, "-webhook");
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container ctr = pod.getContainers().get(0);
        assertThat(d.getSpec().getReplicas()).isPositive();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(ctr.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(ctr.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(ctr.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNotNull();
        assertPdbCannotBlockADrain(c, d);
        // agent's WebhookUnderAttackIT runs the jar with exactly these flags and this limit: keep them in step.
        assertThat(ctr.getArgs()).containsSubsequence("-XX:MaxRAMPercentage=60", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-Xss512k").contains("-XX:MaxDirectMemorySize=32m");
        assertThat(ctr.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");

        if (certManager) {
            assertThat(vwc.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from",
                    Chart.NAMESPACE + "/netcost-netcost-agent-webhook");
            assertThat(c.generic("Certificate")).hasSize(1);
            assertThat(c.all(Secret.class)).isEmpty();
        } else {
            assertThat(c.generic("Certificate")).isEmpty();
            Secret tls = c.one(Secret.class, "-webhook-tls");
            assertThat(tls.getData()).isNullOrEmpty();
            assertThat(tls.getStringData()).isNullOrEmpty();
        }
    }

    /** A budget only beside 2+ replicas, allowing one disruption: a drain always proceeds. */
    private static void assertPdbCannotBlockADrain(Chart c, Deployment d) {
        Optional<PodDisruptionBudget> pdb = c.find(PodDisruptionBudget.class, "-webhook");
        if (d.getSpec().getReplicas() < 2) {
            assertThat(pdb).as("no budget for a single replica").isEmpty();
        } else {
            assertThat(pdb).hasValueSatisfying(p -> {
                assertThat(p.getSpec().getMinAvailable()).isNull();
                assertThat(p.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
                assertThat(p.getSpec().getSelector().getMatchLabels())
                        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
            });
        }
    }

    /** No wildcard anywhere; writes only on Leases and the webhook's own Secret and configuration. */
    private static void assertNoWildcardsAndLeastPrivilege(Chart c) {
        List<PolicyRule> rules = new ArrayList<>();
        c.all(ClusterRole.class).forEach(r -> rules.addAll(r.getRules()));
        c.all(Role.class).forEach(r -> rules.addAll(r.getRules()));
        assertThat(rules).isNotEmpty();
        for (PolicyRule r : rules) {
            if (r.getResources().contains("leases") && r.getResourceNames().isEmpty()) {
                assertThat(r.getVerbs()).as("create cannot be narrowed by name; nothing else goes unnamed")
                        .containsExactly("create");
            }
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*");
            assertThat(r.getApiGroups()).doesNotContain("*");
            boolean writes = r.getVerbs().stream().anyMatch(v -> !List.of("get", "list", "watch").contains(v));
            if (r.getResources().contains("configmaps")) {
                assertThat(r.getResourceNames()).containsExactly("netcost-netcost-agent-load-balancers");
            }
            if (r.getResources().contains("secrets")) {
                assertThat(r.getResourceNames()).containsExactly("netcost-netcost-agent-webhook-tls");
            }
            if (writes) {
                assertThat(r.getResources()).as("write verbs only on leases, the own secret, webhook config and"
                        + " load-balancer ConfigMap").isSubsetOf("leases", "secrets", "validatingwebhookconfigurations",
                        "configmaps");
                if (!r.getResources().contains("leases")) {
                    assertThat(r.getResourceNames()).hasSize(1);
                    assertThat(r.getVerbs()).doesNotContain("create", "delete", "deletecollection");
                }
            }
        }
    }

    /** Secrets are mounted by reference; nothing that looks like a credential sits in a ConfigMap. */
    private static void assertCredentialsOnlyByReference(Chart c) {
        for (ConfigMap cm : c.all(ConfigMap.class)) {
            String text = cm.getData() == null ? "" : cm.getData().values().toString();
            assertThat(text).doesNotContain("password:", "token:", "BEGIN ", "Authorization");
        }
    }

    @Test
    void procfsSource_getsHostPidReadOnlyHostMounts_andPtraceOnly() throws Exception {
        Chart c = render(ONE_ENDPOINT, Map.of("exporters.cadvisor.source", "procfs", "exporters.iptables.enabled", false));
        PodSpec pod = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
        Container agent = pod.getContainers().get(0);
        assertThat(pod.getHostPID()).isTrue();
        assertThat(pod.getHostNetwork()).isFalse();
        assertThat(agent.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_PTRACE");
        assertThat(agent.getVolumeMounts()).filteredOn(m -> m.getMountPath().startsWith("/host/"))
                .hasSize(2).allMatch(m -> Boolean.TRUE.equals(m.getReadOnly()));
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-node"));
        assertThat(cfg.exporters().get("cadvisor").toString()).contains("source=PROCFS", "procRoot=/host/proc", "cgroupRoot=/host/sys/fs/cgroup");
    }

    /**
     * aws.enabled (the default): both processes get the aws section naming the chart's own ConfigMap; the
     * webhook may only get/update it, the node agents only list/watch it (its informer uses a
     * metadata.name field selector, so resourceNames can narrow list/watch).
     */
    @Test
    void awsDiscovery_configNamesTheChartsConfigMap_andRbacIsExactlyTheCallsMade() throws Exception {
        Chart c = render(ONE_ENDPOINT + """
                aws: {region: us-east-2, vpcId: vpc-0abc1234, discoveryInterval: 90s}
                """);
        ConfigMap lbs = c.one(ConfigMap.class, "-load-balancers");
        assertThat(lbs.getData()).as("created empty: the webhook fills it, upgrades leave it").isNullOrEmpty();
        for (String process : List.of("-node", "-webhook")) {
            AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, process));
            assertThat(cfg.aws().enabled()).isTrue();
            assertThat(cfg.aws().region()).isEqualTo("us-east-2");
            assertThat(cfg.aws().vpcId()).isEqualTo("vpc-0abc1234");
            assertThat(cfg.aws().discoveryInterval()).isEqualTo(java.time.Duration.ofSeconds(90));
            assertThat(cfg.aws().ec2Endpoint()).isNull();
            assertThat(cfg.aws().loadBalancerConfigMap()).isEqualTo(lbs.getMetadata().getName());
            assertThat(cfg.aws().loadBalancerConfigMapNamespace()).isEqualTo(lbs.getMetadata().getNamespace());
        }
        PolicyRule webhook = c.one(Role.class, "-webhook").getRules().stream()
                .filter(r -> r.getResources().contains("configmaps")).findFirst().orElseThrow();
        assertThat(webhook.getResourceNames()).containsExactly(lbs.getMetadata().getName());
        assertThat(webhook.getVerbs()).containsExactlyInAnyOrder("get", "update");
        Role node = c.one(Role.class, "-node");
        assertThat(node.getMetadata().getNamespace()).isEqualTo(lbs.getMetadata().getNamespace());
        assertThat(node.getRules()).filteredOn(r -> r.getResources().contains("configmaps")).singleElement().satisfies(r -> {
            assertThat(r.getResources()).containsExactly("configmaps");
            assertThat(r.getResourceNames()).containsExactly(lbs.getMetadata().getName());
            assertThat(r.getVerbs()).containsExactlyInAnyOrder("list", "watch");
        });
        assertThat(c.one(RoleBinding.class, "-node").getRoleRef().getName()).isEqualTo(node.getMetadata().getName());
    }

    @Test
    void awsDisabled_orNoWebhook_meansNoLoadBalancerConfigMapAndNoRulesForIt() throws Exception {
        Chart off = render(ONE_ENDPOINT, Map.of("aws.enabled", false));
        assertThat(loadAgentConfig(off.one(ConfigMap.class, "-node")).aws().enabled()).isFalse();
        assertThat(off.find(ConfigMap.class, "-load-balancers")).isEmpty();
        assertThat(off.one(Role.class, "-node").getRules()).noneMatch(r -> r.getResources().contains("configmaps"));

        Chart noWebhook = render(ONE_ENDPOINT, Map.of("webhook.enabled", false));
        AgentConfig node = loadAgentConfig(noWebhook.one(ConfigMap.class, "-node"));
        assertThat(node.aws().enabled()).as("IMDS and subnets still work on the nodes").isTrue();
        assertThat(node.aws().loadBalancerConfigMap()).as("nothing to watch").isEmpty();
        assertThat(noWebhook.find(ConfigMap.class, "-load-balancers")).isEmpty();
        assertThat(noWebhook.one(Role.class, "-node").getRules()).noneMatch(r -> r.getResources().contains("configmaps"));
    }

    @Test
    void classificationValues_reachTheAgentConfig() throws Exception {
        AgentConfig cfg = loadAgentConfig(render(ONE_ENDPOINT + """
                classification:
                  zones: {us-east-2a: [10.0.0.0/19, 10.0.64.0/19], us-east-2b: [10.0.32.0/19]}
                  vpc: [10.0.0.0/16]
                """).one(ConfigMap.class, "-node"));
        assertThat(cfg.classification().zones()).containsOnlyKeys("us-east-2a", "us-east-2b");
        assertThat(cfg.classification().zones().get("us-east-2a")).hasSize(2);
        assertThat(cfg.classification().vpc()).extracting(Object::toString).containsExactly("10.0.0.0/16");
    }

    @Test
    void aShortIntervalAlone_rendersAConfigTheAgentAccepts_withTheTimeoutFollowingIt() throws Exception {
        AgentConfig cfg = loadAgentConfig(render("", Map.of("interval", "5s")).one(ConfigMap.class, "-node"));
        assertThat(cfg.interval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(cfg.exporterTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        AgentConfig set = loadAgentConfig(render("", Map.of("interval", "5s", "exporterTimeout", "2s"))
                .one(ConfigMap.class, "-node"));
        assertThat(set.exporterTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
    }

    @Test
    void nodeAgentJvm_startsItsHeapSmall_withFewMallocArenas_andTheImagesArchive() throws Exception {
        Container agent = render("").one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(agent.getArgs()).contains("-Xms16m", "-XX:MaxHeapFreeRatio=20", "-XX:+ExitOnOutOfMemoryError",
                "-XX:SharedArchiveFile=/opt/netcost/netcost.jsa", "-Xshare:auto");
        assertThat(agent.getEnv()).anyMatch(e -> e.getName().equals("MALLOC_ARENA_MAX") && e.getValue().equals("2"));
        Container without = render("", Map.of("nodeAgent.sharedArchive", ""))
                .one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(without.getArgs()).noneMatch(a -> a.startsWith("-XX:SharedArchiveFile") || a.startsWith("-Xshare"));
    }

    @Test
    void nodeAgentRunsTheC1CompilerOnly_theWebhookTheJvmsDefault_eachSettable() throws Exception {
        Chart c = render("");
        List<String> node = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
        List<String> webhook = c.one(Deployment.class, "-webhook").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs();
        assertThat(node).contains("-XX:TieredStopAtLevel=1");
        assertThat(webhook).doesNotContain("-XX:TieredStopAtLevel=1");
        Chart swapped = render("", Map.of("nodeAgent.jit", "tiered", "webhook.jit", "c1"));
        assertThat(swapped.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                .doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(swapped.one(Deployment.class, "-webhook").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getArgs()).contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void kubeletSource_isTheDefault_withoutHostPid() throws Exception {
        Chart c = render(ONE_ENDPOINT);
        PodSpec pod = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-node"));
        assertThat(cfg.exporters()).containsKey("cadvisor");
        assertThat(cfg.exporters().get("cadvisor").toString()).contains("source=KUBELET", "insecureSkipVerify=true");
    }

    @Test
    void twoEndpoints_mountEachSecretAndPointTheConfigAtIt() throws Exception {
        Chart c = render(TWO_ENDPOINTS);
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-node"));
        assertThat(cfg.remoteWrite()).hasSize(2);
        assertThat(cfg.remoteWrite().get(0).bearerTokenFile()).hasToString("/etc/netcost/secrets/rw-0-token/token");
        assertThat(cfg.remoteWrite().get(0).tls().caFile()).hasToString("/etc/netcost/secrets/rw-0-ca/ca.crt");
        assertThat(cfg.remoteWrite().get(1).basicAuth().passwordFile()).hasToString("/etc/netcost/secrets/rw-1-password/password");
        assertThat(cfg.remoteWrite().get(1).headers()).containsEntry("X-Scope-OrgID", "platform");

        PodSpec pod = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).extracting(v -> v.getSecret().getSecretName())
                .containsExactlyInAnyOrder("amp-token", "amp-ca", "vm-basic");
        List<String> mounted = pod.getContainers().get(0).getVolumeMounts().stream().map(m -> m.getName()).toList();
        assertThat(pod.getVolumes().stream().map(Volume::getName)).allMatch(mounted::contains);
        assertThat(c.all(HasMetadata.class)).filteredOn(o -> o.getKind().equals("ServiceAccount"))
                .allSatisfy(sa -> assertThat(sa.getMetadata().getAnnotations())
                        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/netcost-amp-writer"));
    }

    @Test
    void ampEndpoint_passesSigv4ToTheAgent_andAnnotatesEachServiceAccountWithItsOwnRole() throws Exception {
        Chart c = render("""
                remoteWrite:
                  - name: amp
                    url: https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write
                    sigv4: {region: us-east-2, roleArn: "arn:aws:iam::123456789012:role/netcost-amp-writer"}
                serviceAccount:
                  annotations:
                    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/netcost-shared
                    eks.amazonaws.com/sts-regional-endpoints: "true"
                webhook:
                  serviceAccount:
                    annotations:
                      eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/netcost-webhook
                """);
        assertThat(loadAgentConfig(c.one(ConfigMap.class, "-node")).remoteWrite()).singleElement().satisfies(rw -> {
            assertThat(rw.sigv4()).isEqualTo(new SigV4Config("us-east-2", "aps",
                    "arn:aws:iam::123456789012:role/netcost-amp-writer"));
            assertThat(rw.bearerTokenFile()).isNull();
        });
        assertThat(c.one(ConfigMap.class, "-webhook").getData().toString()).contains("sigv4:").contains("region: \"us-east-2\"");
        Map<String, Map<String, String>> byAccount = new java.util.HashMap<>();
        c.all(HasMetadata.class).stream().filter(o -> o.getKind().equals("ServiceAccount"))
                .forEach(sa -> byAccount.put(sa.getMetadata().getName().replaceAll(".*-", ""),
                        sa.getMetadata().getAnnotations()));
        assertThat(byAccount).containsOnlyKeys("node", "webhook");
        assertThat(byAccount.get("node")).containsEntry("eks.amazonaws.com/role-arn",
                "arn:aws:iam::123456789012:role/netcost-shared").containsEntry("eks.amazonaws.com/sts-regional-endpoints", "true");
        assertThat(byAccount.get("webhook")).containsEntry("eks.amazonaws.com/role-arn",
                "arn:aws:iam::123456789012:role/netcost-webhook").containsEntry("eks.amazonaws.com/sts-regional-endpoints", "true");
    }

    @Test
    void sigv4WithAnotherAuth_failsNamingBoth() {
        assertThatThrownBy(() -> render("""
                remoteWrite:
                  - url: https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write
                    bearerTokenSecret: {name: t, key: token}
                    sigv4: {region: us-east-2}
                """)).hasMessageContaining("remoteWrite[0]: sigv4 cannot be combined with bearerTokenSecret or basicAuth");
        assertThatThrownBy(() -> render("""
                remoteWrite:
                  - url: https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write
                    sigv4: {service: aps}
                """)).hasMessageContaining("values don't meet the specifications of the schema").hasMessageContaining("region");
    }

    @Test
    void durableQueue_isOnTheNodesDisk_onePerRelease_writable_andTheConfigPointsAtIt() throws Exception {
        Chart c = render(ONE_ENDPOINT);
        PodSpec pod = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
        Volume state = pod.getVolumes().stream().filter(v -> v.getName().equals("state")).findFirst().orElseThrow();
        assertThat(state.getHostPath().getPath()).isEqualTo("/var/lib/netcost/" + Chart.NAMESPACE + "_" + Chart.RELEASE);
        assertThat(state.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-node"));
        VolumeMount mount = mountHolding(pod.getContainers().get(0).getVolumeMounts(),
                cfg.dataDir().resolve("queue").toString());
        assertThat(mount.getName()).isEqualTo("state");
        assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(cfg.remoteWrite().get(0).queue().durable()).isTrue();
        assertThat(cfg.localFile().path().startsWith(cfg.dataDir())).as("localFile beside the queues").isTrue();
    }

    @Test
    void durableQueue_ofANonRootAgent_isAnEmptyDir_largerThanTheDiskBudget() throws Exception {
        Chart c = render(ONE_ENDPOINT, Map.of("exporters.iptables.enabled", false));
        PodSpec pod = c.one(DaemonSet.class, "-node").getSpec().getTemplate().getSpec();
        Volume state = pod.getVolumes().stream().filter(v -> v.getName().equals("state")).findFirst().orElseThrow();
        assertThat(state.getHostPath()).isNull();
        assertThat(state.getEmptyDir().getSizeLimit().getNumericalAmount().longValue())
                .isGreaterThan(RemoteWriteConfig.QueueConfig.DEFAULT.maxDiskBytes());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("interval", "abc"), "interval"),
                Arguments.of(Map.of("output.type", "kafka"), "output.type"),
                Arguments.of(Map.of("webhook.replicas", -1), "webhook.replicas"),
                Arguments.of(Map.of("webhook.tls.mode", "manual"), "webhook.tls.mode"),
                Arguments.of(Map.of("exporters.iptables.backend", "ebpf"), "exporters.iptables.backend"),
                Arguments.of(Map.of("exporters.iptables.chainPrefix", "NET-COST"), "exporters.iptables.chainPrefix"),
                Arguments.of(Map.of("nodeAgent.heapPercent", 95), "nodeAgent.heapPercent"),
                Arguments.of(Map.of("nodeAgent.jit", "c2"), "nodeAgent.jit"),
                Arguments.of(Map.of("aws.region", "Ohio"), "aws.region"),
                Arguments.of(Map.of("aws.vpcId", "my-vpc"), "aws.vpcId"),
                Arguments.of(Map.of("aws.discoveryInterval", "2 minutes"), "aws.discoveryInterval"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badValues")
    void schemaRejectsBadValues_namingTheKey(Map<String, Object> set, String key) {
        assertThatThrownBy(() -> render(ONE_ENDPOINT, set)).hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(key.substring(key.lastIndexOf('.') + 1));
    }

    @Test
    void schemaRejectsInlineCredentials() {
        assertThatThrownBy(() -> render("""
                remoteWrite:
                  - url: http://p:9090/api/v1/write
                    password: hunter2
                """)).hasMessageContaining("password");
    }

    @Test
    void remoteWriteOutputWithoutEndpoint_failsWithAHint() {
        assertThatThrownBy(() -> render("", Map.of("output.type", "remoteWrite")))
                .hasMessageContaining("remoteWrite has no endpoint");
    }

    @Test
    void defaultsWithoutEndpoint_keepSamplesInTheLocalFile() throws Exception {
        AgentConfig cfg = loadAgentConfig(render("").one(ConfigMap.class, "-node"));
        assertThat(cfg.remoteWrite()).isEmpty();
        assertThat(cfg.localFile().path()).hasToString("/var/lib/netcost/samples.prom");
    }

    @Test
    void localFileOutputIgnoresListedEndpoints() throws Exception {
        AgentConfig cfg = loadAgentConfig(render(ONE_ENDPOINT, Map.of("output.type", "localFile")).one(ConfigMap.class, "-node"));
        assertThat(cfg.remoteWrite()).isEmpty();
    }

    /**
     * The webhook's ConfigMap as {@code netcost webhook} loads it: in selfManaged mode it names exactly the
     * Secret, ValidatingWebhookConfiguration and Service the chart makes (and RBAC allows), and writes its
     * pair to a writable mount; in certManager mode it serves the mounted cert-manager Secret.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"selfManaged", "certManager"})
    void webhookConfigMap_isAcceptedByTheAgent_andNamesTheChartsTlsObjects(String mode) throws Exception {
        Chart c = render(ONE_ENDPOINT, Map.of("webhook.tls.mode", mode));
        AgentConfig cfg = loadAgentConfig(c.one(ConfigMap.class, "-webhook"));
        WebhookConfig wc = cfg.exporterConfig("webhook", WebhookConfig.class);
        SelfManagedTlsConfig t = wc.selfManagedTls();
        assertThat(cfg.kubernetes().enabled()).isTrue();

        ValidatingWebhookConfiguration vwc = c.one(ValidatingWebhookConfiguration.class, "-webhook");
        Service svc = c.one(Service.class, "-webhook");
        PodSpec pod = c.one(Deployment.class, "-webhook").getSpec().getTemplate().getSpec();
        List<VolumeMount> mounts = pod.getContainers().get(0).getVolumeMounts();

        if (mode.equals("selfManaged")) {
            Secret secret = c.one(Secret.class, "-webhook-tls");
            assertThat(t.enabled()).isTrue();
            assertThat(t.secretName()).isEqualTo(secret.getMetadata().getName());
            assertThat(t.secretNamespace()).isEqualTo(secret.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
            assertThat(t.webhookConfigurationName()).isEqualTo(vwc.getMetadata().getName());
            assertThat(t.serviceName()).isEqualTo(svc.getMetadata().getName());
            assertThat(t.serviceNamespace()).isEqualTo(svc.getMetadata().getNamespace());
            assertThat(vwc.getWebhooks()).allSatisfy(w -> {
                assertThat(w.getClientConfig().getService().getName()).isEqualTo(t.serviceName());
                assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo(t.serviceNamespace());
            });
            assertThat(vwc.getMetadata().getAnnotations()).doesNotContainKey("cert-manager.io/inject-ca-from");

            // RBAC allows exactly these two objects to be read and updated.
            PolicyRule secrets = c.one(Role.class, "-webhook").getRules().stream()
                    .filter(r -> r.getResources().contains("secrets")).findFirst().orElseThrow();
            assertThat(secrets.getResourceNames()).containsExactly(t.secretName());
            assertThat(secrets.getVerbs()).containsExactlyInAnyOrder("get", "update");
            PolicyRule configs = c.one(ClusterRole.class, "-webhook").getRules().stream()
                    .filter(r -> r.getResources().contains("validatingwebhookconfigurations")).findFirst().orElseThrow();
            assertThat(configs.getResourceNames()).containsExactly(t.webhookConfigurationName());
            assertThat(configs.getVerbs()).containsExactlyInAnyOrder("get", "update");
            // The resync only lists (WebhookCertificateManager / ResyncScraper make no other calls).
            assertThat(c.one(ClusterRole.class, "-webhook").getRules()).filteredOn(r -> r.getResourceNames().isEmpty())
                    .isNotEmpty().allSatisfy(r -> assertThat(r.getVerbs()).containsExactly("list"));

            // The server reads the pair the manager writes, on a writable volume.
            assertThat(wc.tlsCertFile()).isEqualTo(t.certDir().resolve("tls.crt"));
            assertThat(wc.tlsKeyFile()).isEqualTo(t.certDir().resolve("tls.key"));
            VolumeMount state = mountHolding(mounts, t.certDir().toString());
            assertThat(state.getReadOnly()).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(state.getName()))
                    .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
            // the Secret holds the CA key: it is read through the API, never mounted
            assertThat(pod.getVolumes()).noneMatch(v -> v.getSecret() != null
                    && t.secretName().equals(v.getSecret().getSecretName()));
        } else {
            assertThat(t.enabled()).isFalse();
            GenericKubernetesResource cert = c.generic("Certificate").get(0);
            @SuppressWarnings("unchecked")
            Map<String, Object> spec = (Map<String, Object>) cert.getAdditionalProperties().get("spec");
            assertThat((List<Object>) spec.get("dnsNames")).contains((Object) (
                    svc.getMetadata().getName() + "." + svc.getMetadata().getNamespace() + ".svc"));
            VolumeMount tls = mountHolding(mounts, wc.tlsCertFile().toString());
            assertThat(wc.tlsKeyFile().getParent()).isEqualTo(wc.tlsCertFile().getParent());
            assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals(tls.getName()))
                    .singleElement().satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(spec.get("secretName")));
            assertThat(vwc.getMetadata().getAnnotations()).containsEntry("cert-manager.io/inject-ca-from",
                    Chart.NAMESPACE + "/" + cert.getMetadata().getName());
        }
    }

    /** The mount whose path is the longest prefix of {@code path} (the one that holds it). */
    private static VolumeMount mountHolding(List<VolumeMount> mounts, String path) {
        return mounts.stream().filter(m -> path.startsWith(m.getMountPath() + "/"))
                .max(java.util.Comparator.comparingInt(m -> m.getMountPath().length()))
                .orElseThrow(() -> new AssertionError("no volume mounted at " + path));
    }
}
