package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    private static final Map<String, String> ENV = Map.of("NODE_NAME", "node-a");

    @TempDir
    Path dir;

    private AgentConfig load(String yaml, String... overrides) {
        return load(new ConfigLoader(ENV, List.of()), yaml, overrides);
    }

    private AgentConfig load(ConfigLoader loader, String yaml, String... overrides) {
        try {
            Path file = dir.resolve("netcost.yaml");
            Files.writeString(file, yaml);
            return loader.load(file, Arrays.asList(overrides));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> problems(String yaml, String... overrides) {
        return problems(new ConfigLoader(ENV, List.of()), yaml, overrides);
    }

    private List<String> problems(ConfigLoader loader, String yaml, String... overrides) {
        return catchThrowableOfType(ConfigException.class, () -> load(loader, yaml, overrides)).problems();
    }

    /** One remote-write endpoint with {@code extra} (indented for the list item) appended. */
    private static String rw(String extra) {
        return "remoteWrite:\n  - url: http://prometheus:9090/api/v1/write\n" + extra;
    }

    @Nested
    class Defaults {
        @Test
        void noFile_givesDocumentedDefaults() {
            AgentConfig c = new ConfigLoader(ENV, List.of()).load(null, List.of());

            assertThat(c.nodeName()).isEqualTo("node-a");
            assertThat(c.zone()).isEmpty();
            assertThat(c.interval()).isEqualTo(Duration.ofSeconds(15));
            assertThat(c.exporterTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(c.remoteWrite()).isEmpty();
            assertThat(c.localFile().path()).isEqualTo(Path.of("netcost-samples.prom"));
            assertThat(c.debug()).isEqualTo(new DebugConfig(true, new HostPort("127.0.0.1", 9808), true, false));
            assertThat(c.debug().listen()).hasToString("127.0.0.1:9808");
            assertThat(c.kubernetes().enabled()).isTrue();
            assertThat(c.pods()).isEmpty();
            assertThat(c.exporters()).isEmpty();
        }

        @Test
        void emptyFile_givesTheSameDefaultsAsNoFile() {
            AgentConfig none = new ConfigLoader(ENV, List.of()).load(null, List.of());
            assertThat(load("")).isEqualTo(none);
            assertThat(load("# only a comment\n")).isEqualTo(none);
        }

        @Test
        void remoteWriteEndpoint_getsQueueAndTlsDefaults_andIsNamedAfterHostAndPort() {
            RemoteWriteConfig r = load(rw("")).remoteWrite().get(0);

            assertThat(r.name()).isEqualTo("prometheus:9090");
            assertThat(r.url()).isEqualTo(URI.create("http://prometheus:9090/api/v1/write"));
            assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(r.bearerTokenFile()).isNull();
            assertThat(r.basicAuth()).isNull();
            assertThat(r.headers()).isEmpty();
            assertThat(r.tls()).isEqualTo(RemoteWriteConfig.TlsConfig.DEFAULT);
            assertThat(r.queue()).isEqualTo(new RemoteWriteConfig.QueueConfig(500_000, 2, 2000, 4 * 1024 * 1024,
                    Duration.ofSeconds(5), Duration.ofMillis(30), Duration.ofSeconds(5)));
            assertThat(r.queue()).isEqualTo(RemoteWriteConfig.QueueConfig.DEFAULT);
        }

        @Test
        void endpointWithoutPort_isNamedAfterItsHost() {
            assertThat(load("remoteWrite:\n  - url: https://vm.example.com/api/v1/write\n").remoteWrite().get(0).name())
                    .isEqualTo("vm.example.com");
        }

        @Test
        void nodeName_fallsBackToTheHostName_withoutNodeNameInTheEnvironment() {
            AgentConfig c = new ConfigLoader(Map.of(), List.of()).load(null, List.of());
            assertThat(c.nodeName()).isNotBlank();
            AgentConfig blank = new ConfigLoader(Map.of("NODE_NAME", " "), List.of()).load(null, List.of());
            assertThat(blank.nodeName()).isEqualTo(c.nodeName());
        }

        @Test
        void staticPod_defaultsWorkloadToItsName_andKindToPod() {
            StaticPod p = load("pods:\n  - {namespace: shop, name: web-0, ip: 10.0.0.7}\n").pods().get(0);
            assertThat(p).isEqualTo(new StaticPod("shop", "web-0", "10.0.0.7", "web-0", "Pod", Map.of()));
            assertThat(p.pid()).isZero();
            assertThat(p.netns()).isNull();
        }

        @Test
        void staticPod_takesAPidOrANetworkNamespace_forTheProcfsSource() {
            List<StaticPod> pods = load("pods:\n  - {namespace: a, name: b, ip: 10.0.0.1, pid: 4242}\n"
                    + "  - {namespace: a, name: c, ip: 10.0.0.2, netns: /var/run/netns/c}\n").pods();
            assertThat(pods.get(0).pid()).isEqualTo(4242);
            assertThat(pods.get(0).netns()).isNull();
            assertThat(pods.get(1).pid()).isZero();
            assertThat(pods.get(1).netns()).isEqualTo(java.nio.file.Path.of("/var/run/netns/c"));
        }
    }

    @Test
    void fullFile_bindsEveryKey() {
        AgentConfig c = load("""
                nodeName: ip-10-0-1-23.eu-west-1.compute.internal
                zone: eu-west-1a
                interval: 30s
                exporterTimeout: 20s
                remoteWrite:
                  - name: victoria
                    url: https://vm.example.com:8428/api/v1/write
                    bearerTokenFile: /var/run/secrets/vm/token
                    tls:
                      caFile: /etc/netcost/ca.pem
                      certFile: /etc/netcost/client.pem
                      keyFile: /etc/netcost/client-key.pem
                      insecureSkipVerify: true
                    headers:
                      X-Scope-OrgID: team-a
                    timeout: 1m
                    queue:
                      capacity: 100000
                      shards: 4
                      maxSamplesPerSend: 5000
                      maxBytesPerSend: 8MiB
                      batchDeadline: 2s
                      minBackoff: 100ms
                      maxBackoff: 10s
                  - url: http://mimir:8080/api/v1/push
                    basicAuth:
                      username: netcost
                      passwordFile: /etc/netcost/password
                localFile:
                  path: /tmp/samples.prom
                debug:
                  enabled: false
                  listen: ":9900"
                  pages: false
                kubernetes:
                  enabled: false
                pods:
                  - namespace: shop
                    name: web-0
                    ip: 10.0.0.7
                    workload: web
                    workloadKind: StatefulSet
                    labels:
                      app: web
                      team: checkout
                  - namespace: shop
                    name: api
                    ip: fd00::7
                """);

        assertThat(c.nodeName()).isEqualTo("ip-10-0-1-23.eu-west-1.compute.internal");
        assertThat(c.zone()).isEqualTo("eu-west-1a");
        assertThat(c.interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.exporterTimeout()).isEqualTo(Duration.ofSeconds(20));

        assertThat(c.remoteWrite()).hasSize(2);
        RemoteWriteConfig vm = c.remoteWrite().get(0);
        assertThat(vm.name()).isEqualTo("victoria");
        assertThat(vm.url()).isEqualTo(URI.create("https://vm.example.com:8428/api/v1/write"));
        assertThat(vm.bearerTokenFile()).isEqualTo(Path.of("/var/run/secrets/vm/token"));
        assertThat(vm.basicAuth()).isNull();
        assertThat(vm.tls()).isEqualTo(new RemoteWriteConfig.TlsConfig(Path.of("/etc/netcost/ca.pem"),
                Path.of("/etc/netcost/client.pem"), Path.of("/etc/netcost/client-key.pem"), true));
        assertThat(vm.headers()).containsExactly(Map.entry("X-Scope-OrgID", "team-a"));
        assertThat(vm.timeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(vm.queue()).isEqualTo(new RemoteWriteConfig.QueueConfig(100_000, 4, 5000, 8L << 20,
                Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofSeconds(10)));
        RemoteWriteConfig mimir = c.remoteWrite().get(1);
        assertThat(mimir.name()).isEqualTo("mimir:8080");
        assertThat(mimir.basicAuth())
                .isEqualTo(new RemoteWriteConfig.BasicAuth("netcost", Path.of("/etc/netcost/password")));
        assertThat(mimir.bearerTokenFile()).isNull();

        assertThat(c.localFile().path()).isEqualTo(Path.of("/tmp/samples.prom"));
        assertThat(c.debug()).isEqualTo(new DebugConfig(false, new HostPort("", 9900), false, false));
        assertThat(c.kubernetes().enabled()).isFalse();
        assertThat(c.pods()).containsExactly(
                new StaticPod("shop", "web-0", "10.0.0.7", "web", "StatefulSet", Map.of("app", "web", "team", "checkout")),
                new StaticPod("shop", "api", "fd00::7", "api", "Pod", Map.of()));
    }

    @Nested
    class EnvironmentSubstitution {
        private AgentConfig loadWithEnv(Map<String, String> env, String yaml) {
            return load(new ConfigLoader(env, List.of()), yaml);
        }

        @Test
        void setVariable_isSubstituted_anywhereInAValue() {
            AgentConfig c = loadWithEnv(Map.of("VM_HOST", "vm.monitoring", "ZONE", "eu-west-1b"),
                    "zone: ${ZONE}\nremoteWrite:\n  - url: http://${VM_HOST}:8428/api/v1/write\n");
            assertThat(c.zone()).isEqualTo("eu-west-1b");
            assertThat(c.remoteWrite().get(0).url()).hasHost("vm.monitoring");
        }

        @Test
        void substitutedTextIsTyped_likeTheRestOfTheFile() {
            AgentConfig c = loadWithEnv(Map.of("INTERVAL", "1m", "SHARDS", "8", "DEBUG", "false"),
                    "interval: ${INTERVAL}\ndebug:\n  enabled: ${DEBUG}\n" + rw("    queue:\n      shards: ${SHARDS}\n"));
            assertThat(c.interval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(c.debug().enabled()).isFalse();
            assertThat(c.remoteWrite().get(0).queue().shards()).isEqualTo(8);
        }

        @Test
        void unsetVariable_withDefault_takesTheDefault() {
            AgentConfig c = loadWithEnv(Map.of(), "zone: ${ZONE:-eu-west-1c}\ninterval: ${INTERVAL:-20s}\n");
            assertThat(c.zone()).isEqualTo("eu-west-1c");
            assertThat(c.interval()).isEqualTo(Duration.ofSeconds(20));
        }

        @Test
        void emptyDefault_isAllowed() {
            assertThat(loadWithEnv(Map.of(), "zone: a${ZONE:-}b\n").zone()).isEqualTo("ab");
        }

        @Test
        void setVariable_winsOverTheDefault() {
            assertThat(loadWithEnv(Map.of("ZONE", "z1"), "zone: ${ZONE:-z2}\n").zone()).isEqualTo("z1");
        }

        @Test
        void emptyVariable_withDefault_takesTheDefault_likeTheShell() {
            assertThat(loadWithEnv(Map.of("ZONE", ""), "zone: ${ZONE:-z2}\n").zone()).isEqualTo("z2");
            assertThat(loadWithEnv(Map.of("ZONE", ""), "zone: x${ZONE}y\n").zone()).isEqualTo("xy");
        }

        @Test
        void unsetVariable_withoutDefault_isAnErrorNamingTheVariable() {
            List<String> p = problems(new ConfigLoader(Map.of(), List.of()),
                    "zone: ${ZONE}\nremoteWrite:\n  - url: ${REMOTE_WRITE_URL}\n");
            assertThat(p).hasSize(2);
            assertThat(p.get(0)).contains("ZONE").contains("is not set").contains("${ZONE:-default}");
            assertThat(p.get(1)).contains("REMOTE_WRITE_URL").contains("is not set");
        }

        @Test
        void doubleDollar_isALiteralDollar_andIsNotSubstituted() {
            AgentConfig c = loadWithEnv(Map.of("ZONE", "nope"),
                    "zone: a$$b\npods:\n  - {namespace: ns, name: p, ip: 10.0.0.1, labels: {price: \"$${ZONE}\"}}\n");
            assertThat(c.zone()).isEqualTo("a$b");
            assertThat(c.pods().get(0).labels()).containsEntry("price", "${ZONE}");
        }

        @Test
        void loneDollar_andUnclosedReference_areLeftAlone() {
            AgentConfig c = loadWithEnv(Map.of(), "zone: \"$5 ${ZONE\"\n");
            assertThat(c.zone()).isEqualTo("$5 ${ZONE");
        }

        @Test
        void overrideValues_areNotSubstituted() {
            AgentConfig c = load(new ConfigLoader(Map.of("ZONE", "z1"), List.of()), "", "zone=${ZONE}");
            assertThat(c.zone()).isEqualTo("${ZONE}");
        }
    }

    @Nested
    class Overrides {
        @Test
        void overrideReplacesAFileValue() {
            AgentConfig c = load("interval: 30s\nzone: a\n", "interval=1m", "debug.listen=0.0.0.0:9900");
            assertThat(c.interval()).isEqualTo(Duration.ofMinutes(1));
            assertThat(c.zone()).isEqualTo("a");
            assertThat(c.debug().listen()).isEqualTo(new HostPort("0.0.0.0", 9900));
        }

        @Test
        void laterOverride_winsOverAnEarlierOne() {
            assertThat(load("", "zone=a", "zone=b").zone()).isEqualTo("b");
        }

        @Test
        void overrideCreatesNestedMappingsAndListItems_withoutAFile() {
            AgentConfig c = new ConfigLoader(ENV, List.of()).load(null, List.of(
                    "remoteWrite[0].url=http://vm:8428/api/v1/write",
                    "remoteWrite[0].queue.shards=4",
                    "remoteWrite[0].tls.insecureSkipVerify=true",
                    "kubernetes.enabled=false"));
            RemoteWriteConfig r = c.remoteWrite().get(0);
            assertThat(r.url()).hasHost("vm");
            assertThat(r.queue().shards()).isEqualTo(4);
            assertThat(r.tls().insecureSkipVerify()).isTrue();
            assertThat(c.kubernetes().enabled()).isFalse();
        }

        @Test
        void listIndex_reachesIntoAnExistingListItem_keepingItsOtherKeys() {
            AgentConfig c = load(rw("    name: first\n  - url: http://second:9090/api/v1/write\n"),
                    "remoteWrite[1].queue.maxBytesPerSend=1MiB", "remoteWrite[0].timeout=5s");
            assertThat(c.remoteWrite()).extracting(RemoteWriteConfig::name).containsExactly("first", "second:9090");
            assertThat(c.remoteWrite().get(0).timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(c.remoteWrite().get(1).queue().maxBytesPerSend()).isEqualTo(1L << 20);
        }

        @Test
        void indexEqualToTheListSize_appendsAnItem() {
            AgentConfig c = load(rw(""), "remoteWrite[1].url=http://second:9090/api/v1/write");
            assertThat(c.remoteWrite()).hasSize(2);
        }

        @Test
        void indexedListItem_canBeReplacedWholeByAYamlValue() {
            AgentConfig c = load("pods:\n  - {namespace: a, name: b, ip: 10.0.0.1}\n",
                    "pods[0]={namespace: c, name: d, ip: 10.0.0.2}");
            assertThat(c.pods()).containsExactly(new StaticPod("c", "d", "10.0.0.2", "d", "Pod", Map.of()));
        }

        @Test
        void valueIsReadAsYaml() {
            AgentConfig c = load("", "debug.enabled=false", "pods=[{namespace: a, name: b, ip: 10.0.0.1}]",
                    "remoteWrite[0].url=http://vm:8428/api/v1/write", "remoteWrite[0].queue.capacity=1000");
            assertThat(c.debug().enabled()).isFalse();
            assertThat(c.pods()).hasSize(1);
            assertThat(c.remoteWrite().get(0).queue().capacity()).isEqualTo(1000);
        }

        @Test
        void valueThatIsNotValidYaml_isTakenAsText() {
            assertThat(load("", "debug.listen=:9900").debug().listen()).isEqualTo(new HostPort("", 9900));
            assertThat(load("", "zone=[eu").zone()).isEqualTo("[eu");
        }

        @Test
        void emptyValue_restoresTheDefault() {
            assertThat(load("interval: 30s\n", "interval=").interval()).isEqualTo(Duration.ofSeconds(15));
        }

        @Test
        void mapKeysMayContainDashes_soHeadersCanBeSet() {
            AgentConfig c = load(rw(""), "remoteWrite[0].headers.X-Scope-OrgID=team-a");
            assertThat(c.remoteWrite().get(0).headers()).containsEntry("X-Scope-OrgID", "team-a");
        }

        @ParameterizedTest(name = "--set {0}")
        @ValueSource(strings = {"interval", "=15s", "remote Write.url=x", "a..b=1", "pods[x].name=a", "pods[].ip=a",
                ".zone=a"})
        void malformedOverride_isReportedWithTheOverride(String override) {
            List<String> p = problems("", override);
            assertThat(p).singleElement().asString().startsWith("--set ");
        }

        @Test
        void indexBeyondTheEndOfTheList_isReported_notPaddedWithEmptyItems() {
            List<String> p = problems(rw(""), "remoteWrite[2].url=http://x:1/");
            assertThat(p).singleElement().asString()
                    .startsWith("--set remoteWrite[2].url")
                    .contains("remoteWrite has 1 item");
        }

        @Test
        void hugeIndex_isReported_notACrash() {
            List<String> p = problems("", "pods[99999999999].name=x", "pods[2147483647].name=y");
            assertThat(p).hasSize(2).allSatisfy(s -> assertThat(s).startsWith("--set pods["));
        }

        @Test
        void overrideProblems_areListedWithTheFileProblems() {
            List<String> p = problems("interval: soon\n", "nope", "debug.listen=oops");
            assertThat(p).hasSize(3);
            assertThat(p).anySatisfy(s -> assertThat(s).startsWith("--set nope"));
            assertThat(p).anySatisfy(s -> assertThat(s).startsWith("interval:"));
            assertThat(p).anySatisfy(s -> assertThat(s).startsWith("debug.listen:"));
        }

        @Test
        void overrideOfAnUnknownKey_isReportedLikeOneInTheFile() {
            assertThat(problems("", "debug.listn=:1")).singleElement().asString().startsWith("debug.listn: unknown key");
        }
    }

    @Nested
    class Classification {
        @Test
        void absent_givesNoZonesAndNoVpc() {
            assertThat(load("").classification()).isEqualTo(ClassificationConfig.DEFAULT);
        }

        @Test
        void zonesAndVpc_areParsedInFileOrder_ipv4AndIpv6() {
            AgentConfig c = load("""
                    classification:
                      zones:
                        us-east-2b: [10.0.32.0/19, "2600:1f16:abc:200::/64"]
                        us-east-2a: [10.0.0.0/19]
                      vpc: [10.0.0.0/16, "2600:1f16:abc::/56"]
                    """);

            assertThat(c.classification().zones()).containsExactly(
                    Map.entry("us-east-2b", List.of(Cidr.parse("10.0.32.0/19"), Cidr.parse("2600:1f16:abc:200::/64"))),
                    Map.entry("us-east-2a", List.of(Cidr.parse("10.0.0.0/19"))));
            assertThat(c.classification().vpc()).containsExactly(Cidr.parse("10.0.0.0/16"),
                    Cidr.parse("2600:1f16:abc::/56"));
            assertThat(EffectiveConfig.render(c)).contains("    us-east-2a:\n    - 10.0.0.0/19")
                    .contains("- 2600:1f16:abc:0:0:0:0:0/56");
        }

        @Test
        void canBeSetWithOverrides() {
            AgentConfig c = load("", "classification.zones.a=[10.1.0.0/16]", "classification.vpc=[10.0.0.0/8]");

            assertThat(c.classification().zones()).containsExactly(Map.entry("a", List.of(Cidr.parse("10.1.0.0/16"))));
            assertThat(c.classification().vpc()).containsExactly(Cidr.parse("10.0.0.0/8"));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "zones: {a: [10.0.0.1/19]}         | classification.zones.a[0]: '10.0.0.1/19' has host bits set; did you mean 10.0.0.0/19?",
                "zones: {a: [10.0.0.0]}            | classification.zones.a[0]: '10.0.0.0' has no prefix length; write 10.0.0.0/32 for a single address",
                "zones: {a: [10.0.0.0/33]}         | classification.zones.a[0]: prefix /33 out of range (expected a CIDR such as 10.0.0.0/19 or 2600:1f16::/56)",
                "zones: {a: [eu-west-1]}           | classification.zones.a[0]: invalid CIDR 'eu-west-1' (expected a CIDR such as 10.0.0.0/19 or 2600:1f16::/56)",
                "zones: {a: [10.0.0.0/x]}          | classification.zones.a[0]: invalid prefix length in '10.0.0.0/x' (expected a CIDR such as 10.0.0.0/19 or 2600:1f16::/56)",
                "zones: {a: []}                    | classification.zones.a: must list at least one CIDR, e.g. [10.0.0.0/19]",
                "zones: {a: 10.0.0.0/19}           | classification.zones.a: must be a list",
                "zones: {a: [10.0.0.0/19], b: [10.0.0.0/19]} | classification.zones.b[0]: 10.0.0.0/19 is already listed under zone 'a'; a CIDR can be in one zone only",
                "zones: [10.0.0.0/19]              | classification.zones: must be a mapping of keys to values",
                "vpc: 10.0.0.0/16                  | classification.vpc: must be a list",
                "vpc: [10.0.0.0/16, 10.0.0.0/16]   | classification.vpc[1]: 10.0.0.0/16 is listed twice",
                "vpc: [fd00::1/8]                  | classification.vpc[0]: 'fd00::1/8' has host bits set; did you mean fd00:0:0:0:0:0:0:0/8?",
                "subnets: {}                       | classification.subnets: unknown key (known keys here: zones, vpc)",
        })
        void invalid_isReportedAtItsKey(String section, String problem) {
            assertThat(problems("classification:\n  " + section + "\n")).containsExactly(problem);
        }

        @Test
        void everyBadCidr_isReportedAtOnce() {
            assertThat(problems("classification:\n  zones: {a: [x, 10.0.0.1/8]}\n  vpc: [y]\n")).hasSize(3);
        }
    }

    @Nested
    class UnknownKeys {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "intervall: 15s                                                           | intervall",
                "remoteWrite:\\n  - url: http://vm:8428/\\n    tiemout: 5s                | remoteWrite[0].tiemout",
                "remoteWrite:\\n  - url: http://vm:8428/\\n    queue:\\n      shard: 2    | remoteWrite[0].queue.shard",
                "remoteWrite:\\n  - url: http://vm:8428/\\n    tls:\\n      ca: x       | remoteWrite[0].tls.ca",
                "remoteWrite:\\n  - url: http://vm:8428/\\n    basicAuth:\\n      username: u\\n      passwordFile: /p\\n      password: x | remoteWrite[0].basicAuth.password",
                "remoteWrite:\\n  - url: http://vm:8428/\\n  - url: http://vm:8429/\\n    queue:\\n      x: 1 | remoteWrite[1].queue.x",
                "debug:\\n  port: 9808                                                    | debug.port",
                "localFile:\\n  file: x                                                   | localFile.file",
                "kubernetes:\\n  kubeconfig: x                                            | kubernetes.kubeconfig",
                "pods:\\n  - {namespace: a, name: b, ip: 10.0.0.1, node: n}               | pods[0].node",
        })
        void unknownKey_isReportedWithItsFullPath_andTheKnownKeysThere(String yaml, String key) {
            List<String> p = problems(yaml.replace("\\n", "\n"));
            assertThat(p).singleElement().asString().startsWith(key + ": unknown key (known keys here: ");
        }

        @Test
        void knownKeysHint_listsTheSiblingsThatExist() {
            assertThat(problems("debug:\n  port: 9808\n")).singleElement().asString()
                    .contains("enabled, listen, pages, pagesLoopbackOnly");
        }

        @Test
        void everyUnknownKey_isReported() {
            assertThat(problems("a: 1\nb: 2\ndebug:\n  c: 3\n")).containsExactlyInAnyOrder(
                    "a: unknown key (known keys here: nodeName, zone, interval, exporterTimeout, maxLabelValueBytes, remoteWrite, localFile, debug, kubernetes, pods, classification, loadBalancers, pricing, labels, externalLabels, dataDir, aws)",
                    "b: unknown key (known keys here: nodeName, zone, interval, exporterTimeout, maxLabelValueBytes, remoteWrite, localFile, debug, kubernetes, pods, classification, loadBalancers, pricing, labels, externalLabels, dataDir, aws)",
                    "debug.c: unknown key (known keys here: enabled, listen, pages, pagesLoopbackOnly)");
        }

        @Test
        void duplicateKey_isAnError_notSilentlyLastWins() {
            List<String> p = problems("interval: 15s\nzone: a\ninterval: 30s\n");
            assertThat(p).singleElement().asString().contains("interval").contains("line 3");
        }
    }

    @Nested
    class InvalidValues {
        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource(delimiter = '|', value = {
                "interval                   | 15           | interval: invalid duration '15'",
                "interval                   | 15sec        | interval: invalid duration '15sec'",
                "interval                   | 500ms        | interval: must be at least 1s",
                "interval                   | 9999999999999999d | interval: duration '9999999999999999d' is too large",
                "exporterTimeout            | 50ms         | exporterTimeout: must be at least 100ms",
                "exporterTimeout            | -1s          | exporterTimeout: invalid duration '-1s'",
                "remoteWrite[0].timeout     | 1 minute     | remoteWrite[0].timeout: invalid duration '1 minute'",
                "remoteWrite[0].queue.batchDeadline | 0s   | remoteWrite[0].queue.batchDeadline: must be at least 1ms",
                "remoteWrite[0].queue.minBackoff    | 1x   | remoteWrite[0].queue.minBackoff: invalid duration '1x'",
                "remoteWrite[0].queue.maxBackoff    | soon | remoteWrite[0].queue.maxBackoff: invalid duration 'soon'",
                "remoteWrite[0].queue.maxBytesPerSend | 4MB/s | remoteWrite[0].queue.maxBytesPerSend: invalid size '4MB/s'",
                "remoteWrite[0].queue.maxBytesPerSend | 512  | remoteWrite[0].queue.maxBytesPerSend: must be at least 1024 bytes",
                "remoteWrite[0].queue.maxBytesPerSend | -1   | remoteWrite[0].queue.maxBytesPerSend: invalid size '-1'",
                "remoteWrite[0].queue.maxBytesPerSend | 99999999999GiB | remoteWrite[0].queue.maxBytesPerSend: size '99999999999GiB' is too large",
                "remoteWrite[0].queue.capacity      | 0    | remoteWrite[0].queue.capacity: must be between 1 and 100000000, got 0",
                "remoteWrite[0].queue.capacity      | 100000001 | remoteWrite[0].queue.capacity: must be between 1 and 100000000, got 100000001",
                "remoteWrite[0].queue.shards        | 65   | remoteWrite[0].queue.shards: must be between 1 and 64, got 65",
                "remoteWrite[0].queue.shards        | -1   | remoteWrite[0].queue.shards: must be between 1 and 64, got -1",
                "remoteWrite[0].queue.shards        | 1.5  | remoteWrite[0].queue.shards: must be a whole number, got '1.5'",
                "remoteWrite[0].queue.shards        | two  | remoteWrite[0].queue.shards: must be a whole number, got 'two'",
                "remoteWrite[0].queue.shards        | 18446744073709551620 | remoteWrite[0].queue.shards: must be between 1 and 64, got 18446744073709551620",
                "remoteWrite[0].queue.maxSamplesPerSend | 1000001 | remoteWrite[0].queue.maxSamplesPerSend: must be between 1 and 1000000",
                "remoteWrite[0].url         | ftp://vm/write       | remoteWrite[0].url: must be an http:// or https:// URL, got 'ftp://vm/write'",
                "remoteWrite[0].url         | http:///api/v1/write | remoteWrite[0].url: must name a host",
                "remoteWrite[0].url         | not a url            | remoteWrite[0].url: invalid URL 'not a url'",
                "remoteWrite[0].url         | vm:8428/api/v1/write | remoteWrite[0].url: must be an http:// or https:// URL",
                "remoteWrite[0].url         | /api/v1/write        | remoteWrite[0].url: must be an http:// or https:// URL",
                "debug.listen               | 9808         | debug.listen: must be host:port",
                "debug.listen               | host:port    | debug.listen: invalid port in 'host:port'",
                "debug.listen               | :70000       | debug.listen: port must be between 0 and 65535",
                "debug.enabled              | maybe        | debug.enabled: must be true or false, got 'maybe'",
                "kubernetes.enabled         | 1            | kubernetes.enabled: must be true or false, got '1'",
        })
        void badValue_isReportedWithItsKey(String key, String value, String expected) {
            List<String> p = problems(rw(""), key + "=" + value);
            assertThat(p).singleElement().asString().startsWith(expected);
        }

        @Test
        void urlWithCredentials_isRedactedInTheMessage() {
            assertThat(problems("remoteWrite:\n  - url: ftp://user:s3cret@vm/write\n")).singleElement().asString()
                    .doesNotContain("s3cret").contains("ftp://<redacted>@vm/write");
        }

        @Test
        void missingUrl_isRequired() {
            assertThat(problems("remoteWrite:\n  - name: vm\n")).containsExactly("remoteWrite[0].url: is required");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"Content-Type", "content-encoding", "User-Agent", "X-Prometheus-Remote-Write-Version",
                "Content-Length", "Host", "Authorization"})
        void reservedHeader_cannotBeSet_inAnyCase(String header) {
            assertThat(problems(rw("    headers:\n      " + header + ": x\n"))).singleElement().asString()
                    .startsWith("remoteWrite[0].headers." + header + ": is set by the remote-write protocol");
        }

        @Test
        void headerValues_mustBeScalars() {
            assertThat(problems(rw("    headers:\n      X-A: [1, 2]\n")))
                    .containsExactly("remoteWrite[0].headers.X-A: must be a single value");
        }

        @Test
        void certFileWithoutKeyFile_isReported_andTheOtherWayRound() {
            assertThat(problems(rw("    tls:\n      certFile: /c.pem\n")))
                    .containsExactly("remoteWrite[0].tls.keyFile: certFile and keyFile must be given together");
            assertThat(problems(rw("    tls:\n      keyFile: /k.pem\n")))
                    .containsExactly("remoteWrite[0].tls.certFile: certFile and keyFile must be given together");
        }

        @Test
        void basicAuthWithoutPasswordFile_isReported() {
            assertThat(problems(rw("    basicAuth:\n      username: u\n"))).singleElement().asString()
                    .startsWith("remoteWrite[0].basicAuth.passwordFile: is required");
        }

        @Test
        void basicAuthWithoutUsername_isReported() {
            assertThat(problems(rw("    basicAuth:\n      passwordFile: /p\n")))
                    .containsExactly("remoteWrite[0].basicAuth.username: is required");
        }

        @Test
        void basicAuthWithBearerTokenFile_isReported() {
            assertThat(problems(rw("    bearerTokenFile: /t\n    basicAuth:\n      username: u\n      passwordFile: /p\n")))
                    .containsExactly("remoteWrite[0].basicAuth: cannot be combined with bearerTokenFile");
        }

        @Test
        void minBackoffAboveMaxBackoff_isReported() {
            assertThat(problems(rw("    queue:\n      minBackoff: 10s\n      maxBackoff: 1s\n")))
                    .containsExactly("remoteWrite[0].queue.minBackoff: must not exceed maxBackoff");
        }

        @Test
        void exporterTimeoutAboveInterval_isCappedAtTheInterval_soTheSameFileWorksAtAnyInterval() {
            assertThat(load("interval: 5s\nexporterTimeout: 6s\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(load("interval: 5s\nexporterTimeout: 5s\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(load("interval: 30s\nexporterTimeout: 20s\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(20));
        }

        @Test
        void defaultExporterTimeout_isTheIntervalUpToTenSeconds() {
            assertThat(load("interval: 5s\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(load("interval: 1s\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(1));
            assertThat(load("interval: 1m\n").exporterTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(load("exporterTimeout: 3s\n", "interval=5s").exporterTimeout()).isEqualTo(Duration.ofSeconds(3));
        }

        @Test
        void maxLabelValueBytes_defaultsToMimirsLimit_andIsRangeChecked() {
            assertThat(load("").maxLabelValueBytes()).isEqualTo(2048);
            assertThat(load("maxLabelValueBytes: 4096\n").maxLabelValueBytes()).isEqualTo(4096);
            assertThat(problems("maxLabelValueBytes: 0\n"))
                    .containsExactly("maxLabelValueBytes: must be between 16 and 1048576, got 0");
        }

        @Test
        void controlCharactersInAProblem_areEscaped_soEachProblemStaysOneHarmlessLine() {
            assertThat(problems("interval: \"1\\u001b[31mred\\nforged: line\"\n")).singleElement().asString()
                    .startsWith("interval: invalid duration '1\\u001b[31mred\\nforged: line'")
                    .doesNotContain("\n", "\u001b");
        }

        @Test
        void yamlAliasAndMergeKeyProblems_sayWhatAnAliasIs() {
            assertThat(problems("interval: *fifteen\n")).singleElement().asString()
                    .isEqualTo("(top level): line 1, column 11: YAML aliases (*fifteen) are not supported: netcost reads"
                            + " every value as written; repeat the value of the anchor &fifteen instead");
            assertThat(problems("zone: &z a\ndebug:\n  <<: {enabled: false}\nnodeName: *z\n"))
                    .containsExactly("(top level): line 3, column 3: YAML merge keys (<<) are not supported: write the"
                            + " merged keys out in this mapping",
                            "(top level): line 4, column 11: YAML aliases (*z) are not supported: netcost reads every"
                            + " value as written; repeat the value of the anchor &z instead");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"999.1.1.1", "10.0.0", "10.0.0.1.2", "10.0.0.256", "pod-a", ":::::", "1:2:3:4:5:6:7:8:9",
                "fd00::7::1", "10.0.0.1/32", "gg::1", "1.2.3.4:80"})
        void podIpThatIsNotAnAddress_isReported(String ip) {
            assertThat(problems("pods:\n  - {namespace: a, name: b, ip: '" + ip + "'}\n")).singleElement().asString()
                    .isEqualTo("pods[0].ip: must be an IPv4 or IPv6 address, got '" + ip + "'");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "fd00::7", "::1", "::",
                "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1", "FD00::A"})
        void podIp_acceptsIpv4AndIpv6(String ip) {
            assertThat(load("pods:\n  - {namespace: a, name: b, ip: '" + ip + "'}\n").pods().get(0).ip()).isEqualTo(ip);
        }

        @Test
        void staticPodWithBothPidAndNetns_orANonPositivePid_isReported() {
            assertThat(problems("pods:\n  - {namespace: a, name: b, ip: 10.0.0.1, pid: 7, netns: /run/netns/b}\n"
                    + "  - {namespace: a, name: c, ip: 10.0.0.2, pid: 0}\n"))
                    .containsExactly("pods[0].netns: give either pid or netns, not both",
                            "pods[1].pid: must be between 1 and 2147483647, got 0");
        }

        @Test
        void podWithoutNamespaceNameOrIp_reportsEachMissingField() {
            assertThat(problems("pods:\n  - workload: web\n  - {namespace: '', name: b, ip: 10.0.0.1}\n"))
                    .containsExactly("pods[0].namespace: is required", "pods[0].name: is required",
                            "pods[0].ip: is required", "pods[1].namespace: is required");
        }

        @Test
        void wrongShapes_areReported() {
            assertThat(problems("remoteWrite:\n  url: http://vm/\n")).containsExactly("remoteWrite: must be a list");
            assertThat(problems("debug: true\n")).containsExactly("debug: must be a mapping of keys to values");
            assertThat(problems("zone: [a, b]\n")).containsExactly("zone: must be a single value, not a list");
            assertThat(problems("pods:\n  - 10.0.0.1\n")).first().asString()
                    .isEqualTo("pods[0]: must be a mapping of keys to values");
            assertThat(problems("- a\n- b\n")).containsExactly("(top level): the config file must be a YAML mapping");
        }

        @Test
        void missingFile_isReported() {
            Throwable t = catchThrowableOfType(ConfigException.class,
                    () -> new ConfigLoader(ENV, List.of()).load(dir.resolve("missing.yaml"), List.of()));
            assertThat(t).hasMessageContaining("cannot read config file").hasMessageContaining("missing.yaml");
        }

        @Test
        void yamlSyntaxError_namesTheLine() {
            assertThat(problems("interval: 15s\ndebug:\n  listen: \"127.0.0.1:9808\n  pages: true\n"))
                    .singleElement().asString().startsWith("(top level): not valid YAML at line 5")
                    .endsWith("(while scanning a quoted scalar started at line 3)");
            assertThat(problems("interval: 15s\nzone: a\n  nested: b\n"))
                    .singleElement().asString().startsWith("(top level): not valid YAML at line 3");
            assertThat(problems("interval: 15s\ndebug:\n\tlisten: :9808\n"))
                    .singleElement().asString().startsWith("(top level): not valid YAML at line 3").contains("TAB");
        }
    }

    @Test
    void manyProblems_areListedAtOnce_eachNamingItsKey() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load("""
                intervall: 15s
                interval: 500ms
                exporterTimeout: 1x
                remoteWrite:
                  - url: ftp://vm/write
                    headers:
                      User-Agent: me
                    queue:
                      shards: 0
                      maxBytesPerSend: 4 megs
                      retries: 3
                  - url: http://mimir/api/v1/push
                    bearerTokenFile: /t
                    basicAuth:
                      username: u
                    tls:
                      certFile: /c.pem
                debug:
                  listen: localhost
                  port: 9808
                kubernetes:
                  enabled: maybe
                pods:
                  - {name: web-0, ip: 10.0.0.300}
                """, "zone=[a]", "nonsense"));

        List<String> expected = List.of(
                "--set nonsense: must be key=value",
                "interval: must be at least 1s, got '500ms'",
                "exporterTimeout: invalid duration '1x'",
                "remoteWrite[0].url: must be an http:// or https:// URL, got 'ftp://vm/write'",
                "remoteWrite[0].headers.User-Agent: is set by the remote-write protocol",
                "remoteWrite[0].queue.shards: must be between 1 and 64, got 0",
                "remoteWrite[0].queue.maxBytesPerSend: invalid size '4 megs'",
                "remoteWrite[0].queue.retries: unknown key",
                "remoteWrite[1].basicAuth.passwordFile: is required",
                "remoteWrite[1].basicAuth: cannot be combined with bearerTokenFile",
                "remoteWrite[1].tls.keyFile: certFile and keyFile must be given together",
                "debug.listen: must be host:port",
                "debug.port: unknown key",
                "kubernetes.enabled: must be true or false, got 'maybe'",
                "pods[0].namespace: is required",
                "pods[0].ip: must be an IPv4 or IPv6 address, got '10.0.0.300'",
                "zone: must be a single value, not a list",
                "intervall: unknown key");
        assertThat(e.problems()).hasSize(expected.size());
        for (String problem : expected) {
            assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith(problem));
            assertThat(e.getMessage()).contains("\n  - " + problem);
        }
        assertThat(e.getMessage()).startsWith("invalid configuration in " + dir.resolve("netcost.yaml")
                + " (" + expected.size() + " problems):\n");
    }

    @Test
    void oneProblem_isCountedInTheSingular() {
        assertThat(catchThrowableOfType(ConfigException.class, () -> load("zone: [a]\n")))
                .hasMessageStartingWith("invalid configuration in ").hasMessageContaining("(1 problem):\n  - zone:");
    }

    @Nested
    class ExporterSections {
        record FakeConfig(boolean enabled, Duration scrapeInterval, List<String> families) {
        }

        static final class FakeFactory implements ExporterFactory<FakeConfig> {
            private final String key;

            FakeFactory(String key) {
                this.key = key;
            }

            @Override
            public String configKey() {
                return key;
            }

            @Override
            public FakeConfig parseConfig(ConfigNode section) {
                return new FakeConfig(section.bool("enabled", true),
                        section.duration("scrapeInterval", Duration.ofSeconds(15), Duration.ofSeconds(1)),
                        section.stringList("families"));
            }

            @Override
            public boolean enabled(FakeConfig config) {
                return config.enabled();
            }

            @Override
            public Exporter create(FakeConfig config, ExporterContext context) {
                throw new UnsupportedOperationException();
            }
        }

        private final ConfigLoader loader = new ConfigLoader(ENV, List.of(new FakeFactory("fake")));

        @Test
        void exporterSection_isParsedByItsFactory() {
            AgentConfig c = load(loader, "fake:\n  enabled: false\n  scrapeInterval: 1m\n  families: [a, b]\n");
            assertThat(c.exporterConfig("fake", FakeConfig.class))
                    .isEqualTo(new FakeConfig(false, Duration.ofMinutes(1), List.of("a", "b")));
        }

        @Test
        void absentSection_givesTheFactoryDefaults() {
            AgentConfig c = loader.load(null, List.of());
            assertThat(c.exporterConfig("fake", FakeConfig.class))
                    .isEqualTo(new FakeConfig(true, Duration.ofSeconds(15), List.of()));
            assertThat(c.exporterConfig("other", FakeConfig.class)).isNull();
        }

        @Test
        void exporterSection_canBeOverridden() {
            AgentConfig c = load(loader, "fake:\n  enabled: true\n", "fake.enabled=false", "fake.families[0]=x");
            assertThat(c.exporterConfig("fake", FakeConfig.class).enabled()).isFalse();
            assertThat(c.exporterConfig("fake", FakeConfig.class).families()).containsExactly("x");
        }

        @Test
        void exporterSectionProblems_andUnknownKeys_areReportedUnderItsKey() {
            assertThat(problems(loader, "fake:\n  scrapeInterval: often\n  xyz: 1\n  families: {a: b}\n"))
                    .containsExactlyInAnyOrder(
                            "fake.scrapeInterval: invalid duration 'often': use e.g. 500ms, 15s, 1m30s, 2h",
                            "fake.families: must be a list",
                            "fake.xyz: unknown key (known keys here: enabled, scrapeInterval, families)");
        }

        @Test
        void exporterKey_isAKnownTopLevelKey_andWithoutTheFactoryItIsUnknown() {
            assertThat(problems(loader, "fakee: {}\n")).singleElement().asString()
                    .startsWith("fakee: unknown key").contains(", fake)");
            assertThat(problems("fake:\n  enabled: true\n")).singleElement().asString().startsWith("fake: unknown key");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"nodeName", "zone", "interval", "exporterTimeout", "remoteWrite", "localFile", "debug",
                "kubernetes", "pods", "classification"})
        void factoryWhoseKeyClashesWithACoreKey_isABug(String key) {
            ConfigLoader clashing = new ConfigLoader(ENV, List.of(new FakeFactory(key)));
            assertThatThrownBy(() -> clashing.load(null, List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("BUG: ")
                    .hasMessageContaining("'" + key + "'");
        }

        @Test
        void twoFactoriesWithTheSameKey_isABug() {
            ConfigLoader twice = new ConfigLoader(ENV, List.of(new FakeFactory("fake"), new FakeFactory("fake")));
            assertThatThrownBy(() -> twice.load(null, List.of()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("BUG: ")
                    .hasMessageContaining("'fake'");
        }
    }

    @Test
    void loadString_readsInlineYamlWithTheSameRules() {
        ConfigLoader loader = new ConfigLoader(Map.of("Z", "z9"), List.of());
        assertThat(loader.loadString("zone: ${Z}\n").zone()).isEqualTo("z9");
        assertThatThrownBy(() -> loader.loadString("zone: [a]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration in inline config (1 problem)");
    }

    @Test
    void envReferencesInCommentsAreIgnored_andValuesCannotInjectStructure() {
        ConfigLoader loader = new ConfigLoader(Map.of("EVIL", "x\nremoteWrite: []", "ZONE", "us-east-2c"), List.of());
        AgentConfig c = loader.loadString("""
                # nodeName: ${NOT_SET_ANYWHERE}
                nodeName: "${EVIL}"
                zone: ${ZONE}
                """);
        assertThat(c.nodeName()).isEqualTo("x\nremoteWrite: []");
        assertThat(c.zone()).isEqualTo("us-east-2c");
    }

    @Test
    void unsetEnvVariable_isReportedAtItsKey() {
        ConfigLoader loader = new ConfigLoader(Map.of(), List.of());
        assertThatThrownBy(() -> loader.loadString("debug:\n  listen: ${LISTEN}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("debug.listen: environment variable LISTEN is not set");
    }

    @Test
    void emptyNodeName_andDuplicateEndpointNames_areErrors() {
        ConfigLoader loader = new ConfigLoader(Map.of(), List.of());
        assertThatThrownBy(() -> loader.loadString("""
                nodeName: ""
                remoteWrite:
                  - url: http://a:9090/api/v1/write
                  - url: http://a:9090/api/v1/write
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nodeName: must not be empty")
                .hasMessageContaining("remoteWrite[1].name: 'a:9090' names another endpoint too");
    }

    @Nested
    class OwnPod {
        @Test
        void podNameAndNamespace_comeFromTheDownwardApiEnvironment() {
            AgentConfig c = load(new ConfigLoader(Map.of("NODE_NAME", "n", "POD_NAME", "netcost-node-abc",
                    "POD_NAMESPACE", "netcost-system"), List.of()), "");
            assertThat(c.kubernetes().podName()).isEqualTo("netcost-node-abc");
            assertThat(c.kubernetes().podNamespace()).isEqualTo("netcost-system");
            assertThat(c.kubernetes().knowsOwnPod()).isTrue();
            assertThat(load("").kubernetes().knowsOwnPod()).isFalse();
        }

        @Test
        void oneWithoutTheOther_isAnError() {
            assertThat(problems("kubernetes: {podName: x}\n")).containsExactly(
                    "kubernetes.podNamespace: podName and podNamespace must be given together");
        }

        @Test
        void debugPagesLoopbackOnly_isRead() {
            assertThat(load("debug: {listen: '0.0.0.0:9818', pagesLoopbackOnly: true}\n").debug().pagesLoopbackOnly()).isTrue();
        }
    }

    @Nested
    class ExternalLabels {
        @Test
        void default_isJobNetcost() {
            assertThat(load("").externalLabels()).containsExactly(Map.entry("job", "netcost"));
        }

        @Test
        void givenLabels_areAddedToTheDefault_andSortedByName() {
            assertThat(load("externalLabels: {region: us-east-2, cluster: prod}\n").externalLabels())
                    .containsExactly(Map.entry("cluster", "prod"), Map.entry("job", "netcost"), Map.entry("region", "us-east-2"));
        }

        @Test
        void jobCanBeReplaced_orRemovedWithAnEmptyValue() {
            assertThat(load("externalLabels: {job: netcost-eu}\n").externalLabels()).containsExactly(Map.entry("job", "netcost-eu"));
            assertThat(load("externalLabels: {job: ''}\n").externalLabels()).isEmpty();
        }

        @Test
        void cluster_canComeFromTheEnvironment_orASet() {
            assertThat(load("externalLabels: {cluster: \"${CLUSTER:-dev}\"}\n", "externalLabels.cluster=prod").externalLabels())
                    .containsEntry("cluster", "prod");
        }

        @Test
        void invalidOrReservedNames_areEachReported() {
            assertThat(problems("externalLabels: {1st: a, __name__: b, cluster-name: c, ok: [x]}\n"))
                    .containsExactlyInAnyOrder(
                            "externalLabels.1st: is not a valid label name: it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __",
                            "externalLabels.__name__: is not a valid label name: it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __",
                            "externalLabels.cluster-name: is not a valid label name: it must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __",
                            "externalLabels.ok: must be a single value");
        }
    }

    @Nested
    class LoadBalancers {
        @Test
        void loadBalancer_bindsNameTypeIdAndAddressesWithZones() {
            AgentConfig c = load("""
                    loadBalancers:
                      - name: k8s-sharedalb-1a2b3c4d5e
                        type: network
                        id: 50dc6c495c0c9188
                        addresses:
                          - {ip: 10.0.1.50, zone: us-east-2a}
                          - {ip: 'fd00::50'}
                    """);
            assertThat(c.loadBalancers()).containsExactly(new LoadBalancer("k8s-sharedalb-1a2b3c4d5e",
                    LoadBalancerType.NETWORK, "50dc6c495c0c9188", List.of(new LoadBalancer.Address("10.0.1.50", "us-east-2a"),
                    new LoadBalancer.Address("fd00::50", ""))));
        }

        @Test
        void loadBalancer_defaultsToApplication_andNoneAreDeclaredByDefault() {
            assertThat(load("").loadBalancers()).isEmpty();
            assertThat(load("loadBalancers: [{name: a, addresses: [{ip: 10.0.0.1}]}]\n").loadBalancers().get(0).type())
                    .isEqualTo(LoadBalancerType.APPLICATION);
        }

        @Test
        void badLoadBalancers_areAllReported_eachNamingItsKey() {
            List<String> p = problems("""
                    loadBalancers:
                      - {name: a, type: classic, addresses: [{ip: 10.0.0.300}]}
                      - {name: a, addresses: []}
                      - {addresses: [{ip: 10.0.0.1, zone: z, port: 80}]}
                      - {name: b, addresses: [{ip: 'fd00:0::1'}]}
                      - {name: c, addresses: [{ip: 'fd00::1'}]}
                    """);
            assertThat(p).containsExactlyInAnyOrder(
                    "loadBalancers[0].type: must be application or network, got 'classic'",
                    "loadBalancers[0].addresses[0].ip: must be an IPv4 or IPv6 address, got '10.0.0.300'",
                    "loadBalancers[1].name: 'a' is listed twice; give each load balancer once, with all its addresses",
                    "loadBalancers[1].addresses: must list at least one address, e.g. [{ip: 10.0.1.50, zone: us-east-2a}]",
                    "loadBalancers[2].name: is required",
                    "loadBalancers[2].addresses[0].port: unknown key (known keys here: ip, zone)",
                    "loadBalancers[4].addresses[0].ip: fd00::1 is already an address of 'b'; an address belongs to one load balancer");
        }

        @Test
        void targets_bindNamespacesAndSelectors_andAbsentTargetsAreUnknown() {
            AgentConfig c = load("""
                    loadBalancers:
                      - name: shop
                        addresses: [{ip: 10.0.1.50}]
                        targets:
                          - {namespace: shop, selector: {app: web, tier: front}}
                          - {namespace: search}
                      - name: other
                        addresses: [{ip: 10.0.1.51}]
                    """);
            assertThat(c.loadBalancers().get(0).targets()).isEqualTo(LoadBalancer.Targets.of(List.of(
                    new LoadBalancer.Target("search", Map.of()),
                    new LoadBalancer.Target("shop", Map.of("app", "web", "tier", "front")))));
            assertThat(c.loadBalancers().get(1).targets()).isEqualTo(LoadBalancer.Targets.UNKNOWN);
        }

        @Test
        void badTargets_areAllReported_eachNamingItsKey() {
            List<String> p = problems("""
                    loadBalancers:
                      - {name: a, addresses: [{ip: 10.0.0.1}], targets: []}
                      - {name: b, addresses: [{ip: 10.0.0.2}], targets: {namespace: x}}
                      - name: c
                        addresses: [{ip: 10.0.0.3}]
                        targets:
                          - {selector: {app: web}}
                          - {namespace: x, selector: [app]}
                          - {namespace: x, labels: {app: web}}
                    """);
            assertThat(p).containsExactlyInAnyOrder(
                    "loadBalancers[0].targets: must list at least one {namespace, selector}; leave targets out to count every pod",
                    "loadBalancers[1].targets: must be a list",
                    "loadBalancers[2].targets[0].namespace: is required",
                    "loadBalancers[2].targets[1].selector: must be a mapping of names to values",
                    "loadBalancers[2].targets[2].labels: unknown key (known keys here: namespace, selector)");
        }
    }

    @Nested
    class SigV4 {
        private static final String AMP_URL =
                "https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1234/api/v1/remote_write";

        private String amp(String sigv4) {
            return "remoteWrite:\n  - url: " + AMP_URL + "\n    sigv4:\n" + sigv4;
        }

        @Test
        void sigv4_bindsRegion_defaultsServiceToAps_andRoleArnToNone() {
            RemoteWriteConfig r = load(amp("      region: us-east-2\n")).remoteWrite().get(0);
            assertThat(r.sigv4()).isEqualTo(new SigV4Config("us-east-2", "aps", null));
            assertThat(load(rw("")).remoteWrite().get(0).sigv4()).isNull();
        }

        @Test
        void sigv4_bindsServiceAndRoleArn() {
            RemoteWriteConfig r = load(amp("      region: us-east-2\n      service: aps\n"
                    + "      roleArn: arn:aws:iam::123456789012:role/netcost-amp-writer\n")).remoteWrite().get(0);
            assertThat(r.sigv4()).isEqualTo(new SigV4Config("us-east-2", "aps",
                    "arn:aws:iam::123456789012:role/netcost-amp-writer"));
        }

        @Test
        void sigv4_canBeSetFromTheCommandLine() {
            RemoteWriteConfig r = load("", "remoteWrite[0].url=" + AMP_URL, "remoteWrite[0].sigv4.region=us-east-2")
                    .remoteWrite().get(0);
            assertThat(r.sigv4().region()).isEqualTo("us-east-2");
        }

        @Test
        void sigv4WithBearerTokenFileOrBasicAuth_isReported_namingBothKeys() {
            assertThat(problems("remoteWrite:\n  - url: " + AMP_URL + "\n    bearerTokenFile: /t\n"
                    + "    sigv4: {region: us-east-2}\n")).singleElement().asString()
                    .startsWith("remoteWrite[0].sigv4: cannot be combined with bearerTokenFile");
            assertThat(problems("remoteWrite:\n  - url: " + AMP_URL + "\n    basicAuth: {username: u, passwordFile: /p}\n"
                    + "    sigv4: {region: us-east-2}\n")).singleElement().asString()
                    .startsWith("remoteWrite[0].sigv4: cannot be combined with basicAuth");
        }

        @Test
        void everySigv4Problem_isListedAtOnce() {
            assertThat(problems("remoteWrite:\n  - url: " + AMP_URL + "\n    headers: {X-Amz-Date: x}\n    sigv4:\n"
                    + "      service: 'APS!'\n      roleArn: netcost-amp-writer\n      regoin: us-east-2\n"))
                    .containsExactlyInAnyOrder(
                            "remoteWrite[0].sigv4.region: is required",
                            "remoteWrite[0].sigv4.service: must be an AWS signing name such as aps, got 'APS!'",
                            "remoteWrite[0].sigv4.roleArn: must be an IAM role ARN such as"
                                    + " arn:aws:iam::123456789012:role/netcost-amp-writer, got 'netcost-amp-writer'",
                            "remoteWrite[0].sigv4.regoin: unknown key (known keys here: region, service, roleArn)",
                            "remoteWrite[0].headers.X-Amz-Date: is set by SigV4 signing and cannot be given with sigv4");
        }

        @Test
        void aRegionOtherThanTheWorkspaceUrls_isReported() {
            assertThat(problems(amp("      region: us-east-1\n"))).containsExactly("remoteWrite[0].sigv4.region: is"
                    + " 'us-east-1' but the URL is an Amazon Managed Prometheus workspace in 'us-east-2'; the"
                    + " signature must be scoped to the workspace's region");
            assertThat(problems(amp("      region: Ohio\n"))).containsExactly(
                    "remoteWrite[0].sigv4.region: must be an AWS region such as us-east-2, got 'Ohio'");
        }
    }

    @Nested
    class DurableQueue {
        @Test
        void defaults_queueOnDiskUnderNetcostData() {
            AgentConfig c = load(rw(""));
            assertThat(c.dataDir()).isEqualTo(Path.of("netcost-data"));
            RemoteWriteConfig.QueueConfig q = c.remoteWrite().get(0).queue();
            assertThat(q.durable()).isTrue();
            assertThat(q.maxDiskBytes()).isEqualTo(512L << 20);
            assertThat(q.maxAge()).isEqualTo(Duration.ofHours(2));
            assertThat(q.maxCatchupSamplesPerSecond()).isEqualTo(10_000);
            assertThat(q.fsync()).isEqualTo(RemoteWriteConfig.Fsync.BATCH);
            assertThat(q.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void everyKey_isRead() {
            AgentConfig c = load("dataDir: /var/lib/netcost\n" + rw("""
                        queue:
                          durable: false
                          maxDiskBytes: 64MiB
                          maxAge: 30m
                          maxCatchupSamplesPerSecond: 5000
                          fsync: interval
                          fsyncInterval: 250ms
                    """));
            assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/netcost"));
            assertThat(c.remoteWrite().get(0).queue()).isEqualTo(RemoteWriteConfig.QueueConfig.DEFAULT.withDisk(
                    false, 64L << 20, Duration.ofMinutes(30), 5000, RemoteWriteConfig.Fsync.INTERVAL,
                    Duration.ofMillis(250)));
        }

        @Test
        void badValues_areAllReportedAtOnce() {
            assertThat(problems(rw(""), "remoteWrite[0].queue.durable=yes please", "remoteWrite[0].queue.maxDiskBytes=1KiB",
                    "remoteWrite[0].queue.maxAge=10s", "remoteWrite[0].queue.maxCatchupSamplesPerSecond=10",
                    "remoteWrite[0].queue.fsync=always", "remoteWrite[0].queue.fsyncInterval=1ms")).containsExactly(
                    "remoteWrite[0].queue.durable: must be true or false, got 'yes please'",
                    "remoteWrite[0].queue.maxDiskBytes: must be at least 1048576 bytes, got '1KiB'",
                    "remoteWrite[0].queue.maxAge: must be at least 1m, got '10s'",
                    "remoteWrite[0].queue.maxCatchupSamplesPerSecond: must be between 100 and 100000000, got 10",
                    "remoteWrite[0].queue.fsync: must be batch, interval or never, got 'always'",
                    "remoteWrite[0].queue.fsyncInterval: must be at least 10ms, got '1ms'");
        }

        @Test
        void effectiveConfig_showsTheDurableSettings() {
            String yaml = EffectiveConfig.render(load("dataDir: /data\n" + rw("")));
            assertThat(yaml).contains("dataDir: /data", "durable: true", "maxDiskBytes: 536870912", "maxAge: 2h",
                    "fsync: batch");
        }
    }

    @Nested
    class Aws {
        @Test
        void defaults_callNoAws_andPointAtTheLinkLocalImdsOnlyWhenEnabled() {
            AwsConfig a = load("").aws();
            assertThat(a).isEqualTo(AwsConfig.DEFAULT);
            assertThat(a.enabled()).isFalse();
            assertThat(a.imdsEndpoint()).hasToString("http://169.254.169.254");
            assertThat(a.ec2Endpoint()).isNull();
            assertThat(a.subnetRefresh()).isEqualTo(java.time.Duration.ofHours(1));
            assertThat(a.discoveryInterval()).isEqualTo(java.time.Duration.ofMinutes(2));
            assertThat(a.loadBalancerConfigMap()).isEqualTo("netcost-load-balancers");
        }

        @Test
        void everyKey_binds() {
            AwsConfig a = load("""
                    aws:
                      enabled: true
                      region: us-east-2
                      vpcId: vpc-0abc1234def567890
                      imdsEndpoint: http://127.0.0.1:9001
                      ec2Endpoint: http://127.0.0.1:9002
                      stsEndpoint: http://127.0.0.1:9003
                      timeout: 2s
                      subnetRefresh: 30m
                      discoveryInterval: 1m
                      loadBalancerConfigMap: netcost-lbs
                      loadBalancerConfigMapNamespace: netcost-system
                      instanceId: i-0demo
                      instanceType: m6i.large
                      zoneId: use2-az1
                    """).aws();
            assertThat(a).isEqualTo(new AwsConfig(true, "us-east-2", "vpc-0abc1234def567890",
                    java.net.URI.create("http://127.0.0.1:9001"), java.net.URI.create("http://127.0.0.1:9002"),
                    java.net.URI.create("http://127.0.0.1:9003"), java.time.Duration.ofSeconds(2),
                    java.time.Duration.ofMinutes(30), java.time.Duration.ofMinutes(1), "netcost-lbs", "netcost-system",
                    "i-0demo", "m6i.large", "use2-az1"));
        }

        @Test
        void badValues_areAllReported() {
            assertThat(problems("""
                    aws:
                      enabled: maybe
                      region: Ohio
                      vpcId: my-vpc
                      ec2Endpoint: ftp://ec2
                      timeout: 10ms
                      loadBalancerConfigMap: Net_Cost
                      loadBalancerConfigMapNamespace: Bad_NS
                      instanceID: i-1
                    """)).containsExactlyInAnyOrder(
                    "aws.enabled: must be true or false, got 'maybe'",
                    "aws.region: must be an AWS region code such as us-east-2, got 'Ohio'",
                    "aws.vpcId: must be a VPC id such as vpc-0abc1234def567890, got 'my-vpc'",
                    "aws.ec2Endpoint: must be an http:// or https:// URL, got 'ftp://ec2'",
                    "aws.timeout: must be at least 100ms, got '10ms'",
                    "aws.loadBalancerConfigMap: must be a ConfigMap name (lower-case letters, digits, '-' and '.'), got 'Net_Cost'",
                    "aws.loadBalancerConfigMapNamespace: must be a namespace name, got 'Bad_NS'",
                    "aws.instanceID: unknown key (known keys here: enabled, region, vpcId, imdsEndpoint, ec2Endpoint,"
                            + " stsEndpoint, timeout, subnetRefresh, discoveryInterval, loadBalancerConfigMap,"
                            + " loadBalancerConfigMapNamespace, instanceId, instanceType, zoneId)");
        }
    }
}
