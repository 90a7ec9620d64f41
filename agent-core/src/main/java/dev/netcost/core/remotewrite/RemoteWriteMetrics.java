package dev.netcost.core.remotewrite;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/** The remote-write meters of one endpoint, all tagged {@code endpoint}. */
final class RemoteWriteMetrics {
    static final String REASON_QUEUE_FULL = "queue_full";
    static final String REASON_REJECTED = "rejected";
    static final String REASON_SHUTDOWN = "shutdown";
    static final String REASON_MAX_DISK_BYTES = "max_disk_bytes";
    static final String REASON_MAX_AGE = "max_age";
    static final String REASON_CORRUPT = "corrupt";

    private final MeterRegistry registry;
    private final String endpoint;
    private final Counter sent;
    private final Counter retried;
    private final Counter timedOut;

    RemoteWriteMetrics(MeterRegistry registry, String endpoint, Supplier<Number> queueLength) {
        this.registry = registry;
        this.endpoint = endpoint;
        this.sent = Counter.builder("netcost.agent.remote.write.samples.sent")
                .description("Samples delivered to the remote-write endpoint")
                .tag("endpoint", endpoint).register(registry);
        this.retried = Counter.builder("netcost.agent.remote.write.samples.retried")
                .description("Samples sent again after a retryable failure (5xx, 429, connection error)")
                .tag("endpoint", endpoint).register(registry);
        this.timedOut = Counter.builder("netcost.agent.remote.write.requests.timed.out")
                .description("Requests abandoned because no complete response (connect, headers, body) arrived"
                        + " within the endpoint's timeout; their samples are retried")
                .tag("endpoint", endpoint).register(registry);
        Gauge.builder("netcost.agent.remote.write.queue.length", queueLength)
                .description("Samples waiting to be sent to the remote-write endpoint")
                .tag("endpoint", endpoint).register(registry);
        for (String reason : new String[] {REASON_QUEUE_FULL, REASON_REJECTED, REASON_SHUTDOWN,
                REASON_MAX_DISK_BYTES, REASON_MAX_AGE, REASON_CORRUPT}) {
            dropped(reason);
        }
    }

    /** The durable queue's gauges: bytes on disk, and shards that fell back to memory. */
    void durableQueue(Supplier<Number> diskBytes, Supplier<Number> memoryFallback) {
        Gauge.builder("netcost.agent.remote.write.queue.disk", diskBytes)
                .description("Bytes the durable remote-write queue holds on disk")
                .baseUnit("bytes").tag("endpoint", endpoint).register(registry);
        Gauge.builder("netcost.agent.remote.write.queue.memory.fallback", memoryFallback)
                .description("Shards whose durable queue could not use dataDir (read-only, full, locked) and"
                        + " queue in memory instead; 0 when all are on disk")
                .tag("endpoint", endpoint).register(registry);
    }

    void sent(int n) {
        sent.increment(n);
    }

    void retried(int n) {
        retried.increment(n);
    }

    void timedOut() {
        timedOut.increment();
    }

    void dropped(String reason, int n) {
        dropped(reason).increment(n);
    }

    private Counter dropped(String reason) {
        return Counter.builder("netcost.agent.remote.write.samples.dropped")
                .description("Samples given up on, by reason: queue_full, rejected (non-retryable 4xx), shutdown,"
                        + " max_disk_bytes and max_age (durable queue bounds), corrupt (damaged on disk)")
                .tag("endpoint", endpoint).tag("reason", reason).register(registry);
    }

    void request(int status, Duration took) {
        Timer.builder("netcost.agent.remote.write.request.duration")
                .description("Remote-write request duration by HTTP status (0: no response)")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .register(registry).record(took);
    }
}
