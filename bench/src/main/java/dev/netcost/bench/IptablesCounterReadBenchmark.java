package dev.netcost.bench;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.iptables.IptablesBenchSupport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code read}: one exporter read of netcost's counters (read + per-pod/class sums + samples);
 * {@code readOnly}: the reader alone (counters into a sink that ignores them). Every class in use
 * with one CIDR each: {@code 250pods} is 250 pods (2,000 counters), {@code 10000rules} 1,250 pods
 * (10,000 counters). {@code sockopt} and {@code legacy-save} read counting rules in iptables-legacy
 * (the class-chain layout, one rule per pod, class and direction), {@code nft-save} the same rules in
 * iptables-nft, {@code netlink} and {@code nft-list} (the nft program) the named counters of the
 * {@code nft} backend's own table: each native reader against the save programs in the same run, on
 * the same pods, in a network namespace of its own (needs root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IptablesCounterReadBenchmark extends CounterReadBenchmark {
    @Param({"250pods", "10000rules"})
    public String ruleset;

    @Param({"sockopt", "legacy-save", "nft-save", "netlink", "nft-list"})
    public String reader;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("read");
        support = new IptablesBenchSupport(ns.path());
        List<PodInfo> pods = IptablesBenchNamespace.pods(ruleset.equals("250pods") ? IptablesBenchNamespace.PODS : 1_250, 0);
        ClassificationSets sets = IptablesBenchNamespace.sets(4);
        metadata = IptablesBenchNamespace.metadata(pods);
        support.reconcile(family(reader), pods, sets);
        int rules = support.countingRules(pods, sets);
        if (rules != (ruleset.equals("250pods") ? 2_000 : 10_000)) {
            throw new IllegalStateException("BUG: " + rules + " counting rules for " + ruleset);
        }
    }

    @Override
    protected String reader() {
        return reader;
    }
}
