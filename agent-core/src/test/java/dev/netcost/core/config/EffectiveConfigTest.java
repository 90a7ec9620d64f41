package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EffectiveConfigTest {
    private static final String CONFIG = """
            nodeName: node-a
            interval: 30s
            exporterTimeout: 1500ms
            remoteWrite:
              - url: https://alice:s3cret@mimir.example:443/api/v1/push?token=abc123&tenant=t1
                headers:
                  X-Scope-OrgID: team-a
                  X-Api-Key: do-not-show
                bearerTokenFile: /var/run/secrets/token
                tls:
                  certFile: /etc/netcost/tls.crt
                  keyFile: /etc/netcost/tls.key
                queue:
                  batchDeadline: 2m
              - url: http://prometheus:9090/api/v1/write
                basicAuth:
                  username: netcost
                  passwordFile: /etc/netcost/password
            demo:
              target: https://bob:hunter2@kubelet.local:10250/metrics
              every: 90s
            """;

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    /** An exporter section as exporter modules define them: a record with durations, paths and URLs. */
    record DemoConfig(URI target, Duration every, Path procfs, List<String> families) {
    }

    private static final class DemoFactory implements ExporterFactory<DemoConfig> {
        @Override
        public String configKey() {
            return "demo";
        }

        @Override
        public DemoConfig parseConfig(ConfigNode section) {
            return new DemoConfig(section.httpUrl("target", true), section.duration("every", Duration.ofSeconds(15),
                    Duration.ofSeconds(1)), Path.of("/host/proc"), List.of("receive", "transmit"));
        }

        @Override
        public boolean enabled(DemoConfig config) {
            return true;
        }

        @Override
        public Exporter create(DemoConfig config, ExporterContext context) {
            throw new UnsupportedOperationException();
        }
    }

    private String render() {
        AgentConfig config = new ConfigLoader(Map.of(), List.of(new DemoFactory())).loadString(CONFIG);
        return EffectiveConfig.render(config);
    }

    @Test
    void redactsHeaderValues_butKeepsHeaderNames() throws Exception {
        String text = render();
        JsonNode headers = yaml.readTree(text).get("remoteWrite").get(0).get("headers");

        assertThat(headers.get("X-Scope-OrgID").asText()).isEqualTo("<redacted>");
        assertThat(headers.get("X-Api-Key").asText()).isEqualTo("<redacted>");
        assertThat(text).doesNotContain("team-a", "do-not-show");
    }

    @Test
    void redactsUserInfoAndQueryValuesInUrls_everywhere() throws Exception {
        String text = render();
        JsonNode root = yaml.readTree(text);

        assertThat(root.get("remoteWrite").get(0).get("url").asText())
                .isEqualTo("https://<redacted>@mimir.example:443/api/v1/push?token=<redacted>&tenant=<redacted>");
        assertThat(root.get("demo").get("target").asText())
                .isEqualTo("https://<redacted>@kubelet.local:10250/metrics");
        assertThat(text).doesNotContain("alice", "s3cret", "abc123", "bob", "hunter2");
    }

    @Test
    void showsSecretFilePaths_becauseTheyAreNotSecrets() throws Exception {
        JsonNode rw = yaml.readTree(render()).get("remoteWrite");

        assertThat(rw.get(0).get("bearerTokenFile").asText()).isEqualTo("/var/run/secrets/token");
        assertThat(rw.get(0).get("tls").get("keyFile").asText()).isEqualTo("/etc/netcost/tls.key");
        assertThat(rw.get(1).get("basicAuth").get("passwordFile").asText()).isEqualTo("/etc/netcost/password");
        assertThat(rw.get(1).get("basicAuth").get("username").asText()).isEqualTo("netcost");
    }

    @Test
    void showsSigv4Settings_whichHoldNoSecret() throws Exception {
        AgentConfig config = new ConfigLoader(Map.of(), List.of()).loadString("""
                remoteWrite:
                  - url: https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1/api/v1/remote_write
                    sigv4: {region: us-east-2, roleArn: "arn:aws:iam::123456789012:role/netcost-amp-writer"}
                """);
        JsonNode sigv4 = yaml.readTree(EffectiveConfig.render(config)).get("remoteWrite").get(0).get("sigv4");
        assertThat(sigv4.get("region").asText()).isEqualTo("us-east-2");
        assertThat(sigv4.get("service").asText()).isEqualTo("aps");
        assertThat(sigv4.get("roleArn").asText()).isEqualTo("arn:aws:iam::123456789012:role/netcost-amp-writer");
    }

    @Test
    void rendersDurationsAsConfigText() throws Exception {
        JsonNode root = yaml.readTree(render());

        assertThat(root.get("interval").asText()).isEqualTo("30s");
        assertThat(root.get("exporterTimeout").asText()).isEqualTo("1500ms");
        assertThat(root.get("remoteWrite").get(0).get("queue").get("batchDeadline").asText()).isEqualTo("2m");
        assertThat(root.get("remoteWrite").get(0).get("queue").get("minBackoff").asText()).isEqualTo("30ms");
        assertThat(root.get("remoteWrite").get(1).get("timeout").asText()).isEqualTo("30s");
        assertThat(root.get("demo").get("every").asText()).isEqualTo("90s");
    }

    @Test
    void rendersTheConfigFileShape_withExporterSectionsAtTopLevel() throws Exception {
        JsonNode root = yaml.readTree(render());

        assertThat(root.has("exporters")).isFalse();
        assertThat(root.get("nodeName").asText()).isEqualTo("node-a");
        assertThat(root.get("debug").get("listen").asText()).isEqualTo("127.0.0.1:9808");
        assertThat(root.get("localFile").get("path").asText()).isEqualTo("netcost-samples.prom");
        assertThat(root.get("demo").get("procfs").asText()).isEqualTo("/host/proc");
        assertThat(root.get("demo").get("families")).hasSize(2);
        // Absent optional settings are left out rather than shown as null.
        assertThat(root.get("remoteWrite").get(1).has("bearerTokenFile")).isFalse();
    }

    @Test
    void rendersOutputThatTheLoaderAcceptsBack_forCoreKeys() {
        AgentConfig config = new ConfigLoader(Map.of(), List.of()).loadString("""
                nodeName: node-b
                interval: 1m
                remoteWrite:
                  - url: http://vm:8428/api/v1/write
                    name: vm
                """);

        AgentConfig again = new ConfigLoader(Map.of(), List.of()).loadString(EffectiveConfig.render(config));

        // The rendered file always has a pricing section (the effective prices); only that differs.
        assertThat(again.pricing().configured()).isTrue();
        assertThat(again).usingRecursiveComparison().ignoringFields("pricing.configured").isEqualTo(config);
    }
}
