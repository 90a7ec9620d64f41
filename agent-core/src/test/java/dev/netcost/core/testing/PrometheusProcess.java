package dev.netcost.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    /**
     * Starts Prometheus over a TSDB made from {@code openMetrics} (a file in the OpenMetrics text format,
     * timestamps in seconds, ending in {@code # EOF}) by {@code promtool tsdb create-blocks-from
     * openmetrics}: exact samples at exact past times, which remote write cannot give. Retention is long
     * enough that no block is dropped.
     */
    public static PrometheusProcess startWithHistory(Path openMetrics) {
        return startWithHistory(openMetrics, "24h");
    }

    /**
     * As {@link #startWithHistory(Path)}, with blocks of up to {@code maxBlockDuration} (e.g. {@code 744h}):
     * promtool reads the input once per block, so a month of history wants month-long blocks.
     */
    public static PrometheusProcess startWithHistory(Path openMetrics, String maxBlockDuration) {
        return new PrometheusProcess(ServerProcess.start("prometheus", BINARY, (port, dir) -> {
            Path data = dir.resolve("data");
            createBlocks(openMetrics, data, maxBlockDuration);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, CONFIG, StandardCharsets.UTF_8);
            return List.of(
                    "--config.file=" + config,
                    "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.path=" + data,
                    "--storage.tsdb.retention.time=3650d",
                    "--log.level=info");
        }, "/-/ready"));
    }

    private static void createBlocks(Path openMetrics, Path data, String maxBlockDuration) throws IOException {
        Path log = data.resolveSibling("promtool.log");
        Process p = new ProcessBuilder(BINARY.resolveSibling("promtool").toString(), "tsdb", "create-blocks-from",
                "openmetrics", "--max-block-duration=" + maxBlockDuration, openMetrics.toString(), data.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("promtool tsdb create-blocks-from openmetrics took over 30 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("promtool tsdb create-blocks-from openmetrics failed (exit " + p.exitValue() + "): "
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }
}
