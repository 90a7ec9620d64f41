package dev.netcost.core.config;

import dev.netcost.core.auth.SigV4Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One remote-write endpoint ({@code remoteWrite[]}).
 *
 * @param name            label for this endpoint in logs and meters (default: the URL's host:port)
 * @param url             the endpoint, e.g. {@code http://prometheus:9090/api/v1/write} (required)
 * @param bearerTokenFile file holding a bearer token, re-read when it changes (optional)
 * @param basicAuth       basic auth with a password file (optional)
 * @param tls             TLS settings for https URLs
 * @param headers         extra request headers; they can never replace the protocol's own headers
 * @param timeout         deadline for a whole request: connect, send, response headers and body (default 30s)
 * @param queue           queueing, batching, sharding and retry settings
 * @param sigv4           sign requests with AWS SigV4, e.g. for Amazon Managed Prometheus (optional)
 */
public record RemoteWriteConfig(
        String name,
        URI url,
        Path bearerTokenFile,
        BasicAuth basicAuth,
        TlsConfig tls,
        Map<String, String> headers,
        Duration timeout,
        QueueConfig queue,
        SigV4Config sigv4) {

    public RemoteWriteConfig {
        headers = Map.copyOf(headers);
    }

    /** An endpoint without SigV4. */
    public RemoteWriteConfig(String name, URI url, Path bearerTokenFile, BasicAuth basicAuth, TlsConfig tls,
            Map<String, String> headers, Duration timeout, QueueConfig queue) {
        this(name, url, bearerTokenFile, basicAuth, tls, headers, timeout, queue, null);
    }

    /** @param username the user name; @param passwordFile file holding the password, re-read on change */
    public record BasicAuth(String username, Path passwordFile) {
    }

    /**
     * @param caFile             PEM CA bundle to trust instead of the JDK's (optional)
     * @param certFile           PEM client certificate for mutual TLS (optional, with keyFile)
     * @param keyFile            PEM PKCS#8 private key for certFile
     * @param insecureSkipVerify accept any server certificate and host name (default false)
     */
    public record TlsConfig(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify) {
        public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, false);
    }

    /**
     * @param capacity          samples held per endpoint in memory while it is slow or down, when the
     *                          queue is not durable or has fallen back to memory (default 500000)
     * @param shards            parallel senders; a series always goes to the same one (default 2)
     * @param maxSamplesPerSend samples per request at most (default 2000)
     * @param maxBytesPerSend   uncompressed protobuf bytes per request at most (default 4MiB)
     * @param batchDeadline     how long a partial batch waits for more samples (default 5s)
     * @param minBackoff        first retry delay (default 30ms)
     * @param maxBackoff        retry delay cap (default 5s)
     * @param durable           queue on disk under {@code dataDir}, so an outage outlives a restart
     *                          (default true; memory when false or when {@code dataDir} is unusable)
     * @param maxDiskBytes      disk the endpoint's queue may use; beyond it the oldest samples are
     *                          dropped (default 512MiB)
     * @param maxAge            samples queued longer are dropped (default 2h)
     * @param maxCatchupSamplesPerSecond the highest rate samples are sent at, which paces the drain of
     *                          a backlog after an outage (default 10000)
     * @param fsync             when queued data is forced to disk (default batch)
     * @param fsyncInterval     with {@code fsync: interval}, the longest time between two forces (default 1s)
     */
    public record QueueConfig(
            int capacity,
            int shards,
            int maxSamplesPerSend,
            long maxBytesPerSend,
            Duration batchDeadline,
            Duration minBackoff,
            Duration maxBackoff,
            boolean durable,
            long maxDiskBytes,
            Duration maxAge,
            int maxCatchupSamplesPerSecond,
            Fsync fsync,
            Duration fsyncInterval) {
        public static final QueueConfig DEFAULT = new QueueConfig(500_000, 2, 2000, 4L << 20,
                Duration.ofSeconds(5), Duration.ofMillis(30), Duration.ofSeconds(5),
                true, 512L << 20, Duration.ofHours(2), 10_000, Fsync.BATCH, Duration.ofSeconds(1));

        /** The memory-queue settings with the durable settings at their defaults. */
        public QueueConfig(int capacity, int shards, int maxSamplesPerSend, long maxBytesPerSend,
                           Duration batchDeadline, Duration minBackoff, Duration maxBackoff) {
            this(capacity, shards, maxSamplesPerSend, maxBytesPerSend, batchDeadline, minBackoff, maxBackoff,
                    true, 512L << 20, Duration.ofHours(2), 10_000, Fsync.BATCH, Duration.ofSeconds(1));
        }

        /** A copy with other durable-queue settings. */
        public QueueConfig withDisk(boolean durable, long maxDiskBytes, Duration maxAge,
                                    int maxCatchupSamplesPerSecond, Fsync fsync, Duration fsyncInterval) {
            return new QueueConfig(capacity, shards, maxSamplesPerSend, maxBytesPerSend, batchDeadline, minBackoff,
                    maxBackoff, durable, maxDiskBytes, maxAge, maxCatchupSamplesPerSecond, fsync, fsyncInterval);
        }
    }

    /**
     * When the durable queue forces what it wrote to the device. A SIGKILL loses nothing either way
     * (written data is in the kernel's page cache); fsync protects against a node crash or power loss.
     */
    public enum Fsync {
        /**
         * After every cycle's append, the acknowledged position with it: nothing queued is lost, and
         * at most what was acknowledged since is sent again.
         */
        BATCH,
        /** At most once per {@code fsyncInterval}: a node crash loses at most that much. */
        INTERVAL,
        /** Never: the kernel writes back on its own (about 30 s on Linux). */
        NEVER;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The policy named {@code label}, or null. */
        public static Fsync fromLabel(String label) {
            for (Fsync f : values()) {
                if (f.label().equals(label)) {
                    return f;
                }
            }
            return null;
        }
    }
}
