package dev.netcost.core.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus ({@code /usr/bin/prometheus}, the Debian package) with the remote-write
 * receiver enabled, on a free loopback port, with its TSDB in a temp directory that
 * {@link #close()} deletes. No scrape jobs: data arrives only through remote write.
 */
public final class PrometheusProcess extends ServerBackedReceiver {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private static final String CONFIG = """
            # Written by netcost's PrometheusProcess test fixture. No scrape jobs.
            global:
              evaluation_interval: 15s
            """;


    private PrometheusProcess(ServerProcess server) {
        super(server, PromQueryClient.forBaseUrl(server.baseUrl()));
    }

    /** Starts Prometheus and returns once {@code /-/ready} answers 200 (at most 30 s). */
    public static PrometheusProcess start() {
        return start(CONFIG);
    }

    /**
     * Starts Prometheus evaluating the rule file {@code rules} (recording rules and alerts) every
     * {@code evaluationInterval}, e.g. the chart's netcost.rules.yml.
     */
    public static PrometheusProcess startWithRules(Path rules, Duration evaluationInterval) {
        return start(CONFIG.replace("evaluation_interval: 15s", "evaluation_interval: "
                + evaluationInterval.toMillis() + "ms") + "rule_files:\n  - " + rules.toAbsolutePath() + "\n");
    }

    private static PrometheusProcess start(String configText) {
        return new PrometheusProcess(ServerProcess.start("prometheus", BINARY, (port, dir) -> {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, configText, StandardCharsets.UTF_8);
            return List.of(
                    "--config.file=" + config,
                    "--web.enable-remote-write-receiver",
                    "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--log.level=info");
        }, "/-/ready"));
    }









}
