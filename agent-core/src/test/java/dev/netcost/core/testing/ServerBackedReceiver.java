package dev.netcost.core.testing;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** What {@link PrometheusProcess} and {@link VictoriaMetricsProcess} share: a started server and its query API. */
abstract class ServerBackedReceiver implements RemoteWriteReceiver {
    final ServerProcess server;
    private final PromQueryClient queries;

    ServerBackedReceiver(ServerProcess server, PromQueryClient queries) {
        this.server = server;
        this.queries = queries;
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
        return name() + "@" + server.baseUrl();
    }
}
