package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The node agent as a real process, with the chart's JVM flags and with a small heap and the
 * launcher's defaults otherwise (no exit on OutOfMemoryError), against a kubelet that turns hostile:
 * a gzip bomb, an endless body, a 100 MB line, 100,000 pods, an HTML page. After each, the kubelet
 * recovers and the agent must collect again: it is never killed, never stops collecting, and never
 * logs more than a few bounded lines about it.
 */
class HostileKubeletProcessIT {
    private static final List<HostileKubelet.Mode> HOSTILE = List.of(HostileKubelet.Mode.GZIP_BOMB,
            HostileKubelet.Mode.ENDLESS, HostileKubelet.Mode.LONG_LINE, HostileKubelet.Mode.HUNDRED_THOUSAND_PODS,
            HostileKubelet.Mode.HTML);

    @TempDir
    Path tmp;

    static Stream<Arguments> jvmFlags() {
        return Stream.of(
                Arguments.of("chart flags", List.of("-Xmx154m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")),
                Arguments.of("small heap, launcher defaults", List.of("-Xmx154m")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jvmFlags")
    void survivesEveryHostileKubelet_andCollectsAgainOnceItRecovers(String name, List<String> flags) throws Exception {
        try (HostileKubelet kubelet = new HostileKubelet()) {
            int port = FreePorts.loopbackPort();
            Path cfg = tmp.resolve("netcost.yaml");
            Files.writeString(cfg, """
                    nodeName: hostile-node
                    interval: 1s
                    kubernetes: {enabled: false}
                    debug: {listen: "127.0.0.1:%d"}
                    localFile: {path: %s}
                    iptables: {enabled: false}
                    cadvisor:
                      url: %s
                      bearerTokenFile: ""
                      caFile: ""
                    """.formatted(port, tmp.resolve("samples.prom"), kubelet.url()));
            Path log = tmp.resolve("agent.log");
            Process p = AgentJar.start(log, flags, "node", "--config", cfg.toString());
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            try {
                awaitCollecting(p, http, base, log);
                for (HostileKubelet.Mode mode : HOSTILE) {
                    kubelet.mode(mode);
                    Awaitility.await(mode + " served").atMost(Duration.ofSeconds(60))
                            .until(() -> kubelet.requests() >= 3 || !p.isAlive());
                    assertThat(p.isAlive()).as("alive after %s; log:%n%s", mode, tail(log)).isTrue();
                    if (mode != HostileKubelet.Mode.LONG_LINE) { // the rest of that body is fine: it may succeed
                        assertThat(get(http, base.resolve("/metrics"))).as("during %s", mode)
                                .contains("netcost_agent_exporter_success{exporter=\"cadvisor\"} 0.0");
                    }

                    kubelet.mode(HostileKubelet.Mode.NORMAL);
                    awaitCollecting(p, http, base, log);
                }
                assertThat(get(http, base.resolve("/healthz"))).isEqualTo("200 ok");
            } finally {
                p.destroy();
                p.waitFor();
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            // A line when a failure starts or changes and one when collection resumes: about two per mode.
            assertThat(lines.size()).as("log lines:%n%s", String.join("\n", lines)).isLessThan(60);
            assertThat(lines).as("no log line echoes a hostile body").allMatch(l -> l.length() < 2_000);
            String all = String.join("\n", lines);
            assertThat(all).contains("cadvisor.maxSeries", "Content-Type 'text/html; charset=utf-8'")
                    .doesNotContain("OutOfMemoryError", "\tat ");
        }
    }

    /** Until the normal payload's pods are on /debug/series: a cycle has collected them. */
    private static void awaitCollecting(Process p, HttpClient http, URI base, Path log) {
        Awaitility.await("collecting").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> !p.isAlive() || get(http, base.resolve("/debug/series")).contains("pod=\"normal-1\"")
                        && get(http, base.resolve("/metrics"))
                                .contains("netcost_agent_exporter_success{exporter=\"cadvisor\"} 1.0"));
        assertThat(p.isAlive()).as("alive; log:%n%s", tail(log)).isTrue();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static String get(HttpClient http, URI uri) {
        return AgentJar.fetch(http, HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build());
    }
}
