package dev.netcost.core.testing;

import java.net.URI;
import java.time.Duration;

/**
 * A real remote-write receiver started for a test, so one test can run against each of
 * {@link PrometheusProcess} and {@link VictoriaMetricsProcess}.
 */
public interface RemoteWriteReceiver extends AutoCloseable {

    /** "prometheus" or "victoria-metrics", for test names and messages. */
    String name();

    /** {@code http://127.0.0.1:<port>/}. */
    URI baseUrl();

    /** {@code http://127.0.0.1:<port>/api/v1/write}. */
    URI remoteWriteUrl();

    /** Reads back through the server's Prometheus HTTP API. */
    PromQueryClient queries();

    /** The last lines of the server's log, to attach to failure messages. */
    String logTail();

    /** From launch to the first successful readiness probe. */
    Duration startupTime();

    /** Stops the server process and deletes its data. Idempotent. */
    @Override
    void close();
}
