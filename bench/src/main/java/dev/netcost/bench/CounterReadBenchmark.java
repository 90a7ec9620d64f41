package dev.netcost.bench;

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.iptables.IptablesBenchSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the counter-read benchmarks share: a network namespace of their own with the rules a subclass's
 * {@code @Setup} reconciles, and the two measured reads. {@code read}: one exporter read (counters,
 * per-pod sums, samples); {@code readOnly}: the reader alone (counters into a sink that ignores them).
 */
@State(Scope.Benchmark)
public abstract class CounterReadBenchmark {
    protected IptablesBenchNamespace ns;
    protected IptablesBenchSupport support;
    protected ClusterMetadata metadata;

    /** The counting layout a reader reads: iptables-legacy, iptables-nft, or the nft backend's own table. */
    static String family(String reader) {
        return switch (reader) {
            case "sockopt", "legacy-save" -> "legacy";
            case "nft-save" -> "nft";
            case "netlink", "nft-list" -> "nftables";
            default -> throw new IllegalArgumentException("unknown reader " + reader);
        };
    }

    @TearDown
    public void tearDown() {
        support.close();
        ns.close();
    }

    @Benchmark
    public double read() throws Exception {
        return support.read(reader(), metadata);
    }

    @Benchmark
    public int readOnly() throws Exception {
        return support.readOnly(reader());
    }

    /** The {@code reader} parameter of the subclass. */
    protected abstract String reader();
}
