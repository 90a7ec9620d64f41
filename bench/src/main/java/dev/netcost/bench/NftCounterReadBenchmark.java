package dev.netcost.bench;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.iptables.NftBenchSupport;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading the named counters of netcost's nf_tables table ({@code inet netcost}) into a summing
 * sink: {@code 250pods} is 250 pods x 4 classes x 2 directions (2,000 counters, IPv4),
 * {@code 10000rules} 1,250 pods (10,000 counters). {@code netlink} is the GETOBJ dump (plus the
 * GETCHAIN dump that counts the base chains), {@code nft-list} runs
 * {@code nft list counters table inet netcost} and parses it: the "save" of this backend. In a
 * network namespace of its own (needs root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NftCounterReadBenchmark {
    @Param({"250pods", "10000rules"})
    public String ruleset;

    @Param({"netlink", "nft-list"})
    public String reader;

    private IptablesBenchNamespace ns;
    private NftBenchSupport support;
    private int counters;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("nftread");
        support = new NftBenchSupport(ns.path());
        int pods = ruleset.equals("250pods") ? IptablesBenchNamespace.PODS : 1_250;
        List<PodInfo> list = IptablesBenchNamespace.pods(pods, 0);
        ClassificationSets sets = IptablesBenchNamespace.sets(4);
        counters = support.reconcile(list, sets);
        if (counters != (ruleset.equals("250pods") ? 2_000 : 10_000)) {
            throw new IllegalStateException("BUG: " + counters + " counters for " + ruleset);
        }
    }

    @TearDown
    public void tearDown() {
        support.close();
        ns.close();
    }

    @Benchmark
    public long read() throws Exception {
        return support.read(reader, counters);
    }
}
