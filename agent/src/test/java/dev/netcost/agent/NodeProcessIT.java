package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.FreePorts;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.Promtool;
import dev.netcost.core.testing.QueriedSeries;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as users run it, as a real process, against a real Prometheus. */
class NodeProcessIT {
    @TempDir
    Path tmp;

    private Process start(Path config, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("node", "--config", config.toString()));
        args.addAll(List.of(extra));
        return AgentJar.start(tmp.resolve("agent.log"), args.toArray(String[]::new));
    }

    private String log() throws IOException {
        return Files.readString(tmp.resolve("agent.log"), StandardCharsets.UTF_8);
    }

    private Path config(String remoteWriteUrl, int debugPort) throws IOException {
        Path cfg = tmp.resolve("netcost.yaml");
        Files.writeString(cfg, """
                nodeName: it-node
                zone: us-east-2b
                interval: 1s
                exporterTimeout: 500ms
                kubernetes: {enabled: false}
                debug: {listen: "127.0.0.1:%d"}
                externalLabels: {cluster: it-cluster}
                dataDir: %s
                remoteWrite:
                  - url: %s
                    queue: {minBackoff: 10ms, maxBackoff: 100ms}
                """.formatted(debugPort, tmp.resolve("data"), remoteWriteUrl));
        return cfg;
    }

    @Test
    void once_deliversToPrometheus_andExits0() throws Exception {
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            Process p = start(config(prom.remoteWriteUrl().toString(), 0), "--once");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(log()).isZero();
            List<QueriedSeries> info = prom.queries().awaitQuery("netcost_agent_info{node=\"it-node\",cluster=\"it-cluster\",job=\"netcost\"}",
                    r -> r.size() == 1);
            assertThat(info.get(0).labels()).containsEntry("zone", "us-east-2b").containsKey("version");
        }
    }

    @Test
    void once_exits1_whenTheEndpointRejectsTheSamples() throws Exception {
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            URI wrongPath = prom.baseUrl().resolve("/api/v1/no-such-write");
            Process p = start(config(wrongPath.toString(), 0), "--once");
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(log()).isEqualTo(1);
            assertThat(log()).contains("HTTP 404");
        }
    }

    @Test
    void once_exits1_whenTheKubernetesMetadataNeverSynced() throws Exception {
        Path cfg = tmp.resolve("k8s.yaml");
        Files.writeString(cfg, """
                nodeName: it-node
                interval: 2s
                kubernetes: {enabled: true}
                debug: {enabled: false}
                localFile: {path: %s}
                cadvisor: {enabled: false}
                iptables: {enabled: false}
                """.formatted(tmp.resolve("samples.prom")));
        int closed = FreePorts.loopbackPort(); // nothing listens: the API server is unreachable
        Process p = AgentJar.start(tmp.resolve("agent.log"), List.of(), java.util.Map.of(
                "KUBERNETES_MASTER", "http://127.0.0.1:" + closed, "KUBECONFIG", tmp.resolve("none").toString()),
                "node", "--config", cfg.toString(), "--once");
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log()).isEqualTo(1);
        assertThat(log()).contains("the Kubernetes metadata never synced");
    }

    @Test
    void servesDebugPages_andStopsOnSigterm_withinTenSeconds() throws Exception {
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            int port = FreePorts.loopbackPort();
            Process p = start(config(prom.remoteWriteUrl().toString(), port));
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + port);
                String ready = PromQueryClient.await("readyz", () -> get(http, base.resolve("/readyz")),
                        body -> body.equals("200 ready"), Duration.ofSeconds(30));
                assertThat(ready).isEqualTo("200 ready");
                assertThat(get(http, base.resolve("/debug/series"))).contains("netcost_agent_info{");
                assertThat(get(http, base.resolve("/debug/config"))).contains("nodeName: it-node");
                PromQueryClient.await("remote-write counter", () -> get(http, base.resolve("/metrics")),
                        m -> m.lines().anyMatch(l -> l.startsWith("netcost_agent_remote_write_samples_sent_total")
                                && !l.endsWith(" 0.0")), Duration.ofSeconds(30));
                String metrics = get(http, base.resolve("/metrics")).substring("200 ".length());
                Promtool.Result lint = Promtool.checkMetrics(metrics);
                assertThat(lint.exitCode()).as("promtool check metrics:%n%s%n%s", lint.output(), metrics).isZero();
                assertThat(metrics).contains("netcost_agent_remote_write_samples_retried_total{",
                        "netcost_agent_remote_write_samples_dropped_total{endpoint=",
                        "netcost_agent_remote_write_request_duration_seconds_count{endpoint=",
                        "netcost_agent_remote_write_queue_length{", "netcost_agent_exporter_duration_seconds{",
                        "jvm_memory_used_bytes{");
                prom.queries().awaitQuery("netcost_agent_exporter_success{node=\"it-node\",exporter=\"agent\"}",
                        r -> r.size() == 1);

                p.destroy(); // SIGTERM
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
                assertThat(log()).contains("stopping: delivering queued samples").contains("stopped");
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static String get(HttpClient http, URI uri) {
        return AgentJar.fetch(http, HttpRequest.newBuilder(uri).build());
    }
}
