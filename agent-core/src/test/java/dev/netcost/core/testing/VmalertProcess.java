package dev.netcost.core.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real vmalert ({@code /usr/bin/vmalert}, the Debian victoria-metrics package) evaluating a rule file
 * against a VictoriaMetrics: it queries {@code datasource} and writes recording-rule results back to
 * it by remote write, as a VictoriaMetrics user runs Prometheus rule files. On a free loopback port;
 * {@link #close()} stops it.
 */
public final class VmalertProcess implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/vmalert");

    private final ServerProcess server;

    private VmalertProcess(ServerProcess server) {
        this.server = server;
    }

    /** {@code vmalert -rule=rules} every {@code evaluationInterval}; returns once {@code /health} answers. */
    public static VmalertProcess start(Path rules, VictoriaMetricsProcess datasource, Duration evaluationInterval) {
        String vm = datasource.baseUrl().toString();
        return new VmalertProcess(ServerProcess.start("vmalert", BINARY, (port, dir) -> List.of(
                "-httpListenAddr=127.0.0.1:" + port,
                "-rule=" + rules.toAbsolutePath(),
                "-datasource.url=" + vm,
                "-remoteWrite.url=" + vm,
                "-remoteWrite.flushInterval=200ms",
                // vmalert refuses alerting rules without a notifier; nothing listens there (loopback only).
                "-notifier.url=http://127.0.0.1:9/",
                "-evaluationInterval=" + evaluationInterval.toMillis() + "ms"), "/health"));
    }

    /** The last lines of vmalert's log, for failure messages. */
    public String logTail() {
        return server.logTail();
    }

    @Override
    public void close() {
        server.close();
    }
}
