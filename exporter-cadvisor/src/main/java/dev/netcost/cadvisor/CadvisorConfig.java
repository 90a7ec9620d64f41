package dev.netcost.cadvisor;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code cadvisor} section; every key and default is documented in docs/configuration.md.
 *
 * @param enabled            run the exporter (default true)
 * @param source             where the counters come from (default {@link Source#KUBELET})
 * @param url                the kubelet's cAdvisor endpoint; null when not configured and
 *                           {@code NODE_IP} was not in the environment
 * @param bearerTokenFile    token sent to the kubelet, re-read every scrape (null: none)
 * @param caFile             CA bundle the kubelet's certificate must chain to (null: the JDK's trust store)
 * @param insecureSkipVerify accept any kubelet certificate
 * @param timeout            the whole scrape, body included
 * @param maxBytes           the body limit, compressed and decompressed (a bound on the stream: the body is
 *                           never held whole)
 * @param maxSeries          the most pod network series one scrape may keep; 0: derived from the heap,
 *                           see {@link #effectiveMaxSeries(long)}
 * @param compression        what the kubelet is asked to send (default {@link Compression#NONE})
 * @param procRoot           the host's /proc (procfs source)
 * @param cgroupRoot         the host's cgroup mount (procfs source)
 */
public record CadvisorConfig(boolean enabled, Source source, URI url, Path bearerTokenFile, Path caFile,
                             boolean insecureSkipVerify, Duration timeout, long maxBytes, int maxSeries, Compression compression,
                             Path procRoot,
                             Path cgroupRoot) {
    static final Path DEFAULT_TOKEN_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    static final Path DEFAULT_CA_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** Arrays hold at most this many bytes; the limit stays clear of it. */
    static final long MAX_MAX_BYTES = 1L << 30;
    /**
     * Heap set aside per kept series when {@code maxSeries} is derived: a series costs well under 1 KiB
     * through a cycle (its labels, the sample, the stale-marker index, the sinks' copies), so the
     * series of one scrape can take at most about an eighth of the heap, leaving room for queues.
     */
    static final long HEAP_PER_SERIES = 8 * 1024;

    public CadvisorConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(procRoot, "procRoot");
        Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    }

    /** {@code maxSeries}, or when 0 one series per {@link #HEAP_PER_SERIES} of {@code maxHeapBytes}, at least 1,000. */
    public int effectiveMaxSeries(long maxHeapBytes) {
        if (maxSeries > 0) {
            return maxSeries;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1_000, maxHeapBytes / HEAP_PER_SERIES));
    }

    /**
     * The {@code Accept-Encoding} of the kubelet scrape. The kubelet is on the same node, so gzip saves
     * no network worth having and costs CPU on both sides: compressing a 250-pod payload costs the
     * kubelet several times what inflating it costs the agent. A gzip answer is inflated either way.
     */
    public enum Compression {
        /** {@code Accept-Encoding: identity}. */
        NONE,
        /** {@code Accept-Encoding: gzip}, for a kubelet reached through a proxy or over a real network. */
        GZIP
    }

    /** Where the per-pod counters are read. */
    public enum Source {
        /** The kubelet's {@code /metrics/cadvisor} over HTTPS. */
        KUBELET,
        /** {@code /proc/<pid>/net/dev} of one process in each pod's network namespace. */
        PROCFS
    }
}
