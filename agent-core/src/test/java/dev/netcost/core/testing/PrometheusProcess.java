package dev.netcost.core.testing;

import java.net.URI;
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
public final class PrometheusProcess implements RemoteWriteReceiver {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private static final String CONFIG = """
            # Written by netcost's PrometheusProcess test fixture. No scrape jobs.
            global:
              evaluation_interval: 15s
            """;

    private final ServerProcess server;
    private final PromQueryClient queries;

    private PrometheusProcess(ServerProcess server) {
        this.server = server;
        this.queries = PromQueryClient.forBaseUrl(server.baseUrl());
    }

    /** Starts Prometheus and returns once {@code /-/ready} answers 200 (at most 30 s). */
    public static PrometheusProcess start() {
        return new PrometheusProcess(ServerProcess.start("prometheus", BINARY, (port, dir) -> {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, CONFIG, StandardCharsets.UTF_8);
            return List.of(
                    "--config.file=" + config,
                    "--web.enable-remote-write-receiver",
                    "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.path=" + dir.resolve("data"),
                    "--log.level=info");
        }, "/-/ready"));
    }

    @Override
    public String name() {
        return server.name();
    }

    @Override
    public URI baseUrl() {
        return server.baseUrl();
    }

    @Override
    public URI remoteWriteUrl() {
        return server.baseUrl().resolve("api/v1/write");
    }

    @Override
    public PromQueryClient queries() {
        return queries;
    }

    @Override
    public String logTail() {
        return server.logTail();
    }

    @Override
    public Duration startupTime() {
        return server.startupTime();
    }

    // VisibleForTesting
    Path tempDir() {
        return server.tempDir();
    }

    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "prometheus@" + server.baseUrl();
    }
}
