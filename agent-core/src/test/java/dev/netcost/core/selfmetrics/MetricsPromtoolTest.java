package dev.netcost.core.selfmetrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.config.HostPort;
import dev.netcost.core.testing.Promtool;
import dev.netcost.core.http.DebugPages;
import dev.netcost.core.http.DebugServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lints what {@code /metrics} really serves with Prometheus' own checker, {@code promtool check metrics},
 * run as a process. promtool must be on the PATH (Debian: {@code apt-get install prometheus}); without it
 * the test fails rather than skips, so a CI image without it cannot pass silently.
 */
class MetricsPromtoolTest {
    private SelfMetrics selfMetrics;
    private DebugServer server;

    @BeforeEach
    void start() throws IOException {
        selfMetrics = new SelfMetrics();
        PrometheusMeterRegistry registry = selfMetrics.registry();
        // Meters as the pipeline and the remote-write sink register them.
        for (String exporter : List.of("cadvisor", "iptables")) {
            Gauge.builder("netcost.agent.exporter.duration", () -> 0.125)
                    .baseUnit("seconds")
                    .tag("exporter", exporter)
                    .description("How long the exporter's last collection took")
                    .register(registry);
            Gauge.builder("netcost.agent.exporter.success", () -> 1)
                    .tag("exporter", exporter)
                    .description("Whether the exporter's last collection succeeded (1) or not (0)")
                    .register(registry);
        }
        Counter.builder("netcost.agent.remote.write.samples.sent")
                .tag("endpoint", "prometheus:9090")
                .description("Samples the remote-write endpoint accepted")
                .register(registry)
                .increment(2000);
        server = new DebugServer(new DebugPages(List::of, () -> true, () -> "", registry, true));
        server.start(new HostPort("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
        selfMetrics.close();
    }

    @Test
    void servesMetricsThatPromtoolAccepts() throws Exception {
        // Make the GC meters (a summary among them) appear, so that they are linted too.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return selfMetrics.registry().find("jvm.gc.pause").timer() != null;
        });
        String body = fetchMetrics();
        Promtool.Result lint = Promtool.checkMetrics(body);
        assertThat(lint.exitCode())
                .as("promtool check metrics exit code; its output:%n%s%nthe metrics:%n%s", lint.output(), body)
                .isZero();
        assertThat(body).contains(
                "netcost_agent_exporter_duration_seconds{exporter=\"cadvisor\"} 0.125",
                "netcost_agent_exporter_success{exporter=\"iptables\"} 1",
                "netcost_agent_remote_write_samples_sent_total{endpoint=\"prometheus:9090\"} 2000",
                "# TYPE jvm_gc_pause_seconds summary",
                "jvm_memory_used_bytes{",
                "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ",
                "process_uptime_seconds ",
                "process_files_open_files ",
                // Renamed by SelfMetrics: promtool rejects Micrometer's own names for these two.
                "process_cpu_seconds_total ",
                "system_cpu_count_cpus ");
        assertThat(body).doesNotContain("process_cpu_time_ns_total", "system_cpu_count ");
    }

    private String fetchMetrics() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return r.body();
    }
}
