package dev.netcost.bench;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.iptables.NftBenchSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reconciling netcost's nf_tables table for 250 pods (4 classes, 2,000 counters): {@code unchanged}
 * is a cycle that finds nothing to do ({@code nft -t list table} + compare), {@code onePodReplaced}
 * one pod going and another coming (list + one {@code nft -f} transaction refilling sets, maps and
 * chains), {@code fromScratch} the whole table after deleting it (delete included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class NftReconcileBenchmark {
    private IptablesBenchNamespace ns;
    private NftBenchSupport support;
    private ClassificationSets sets;
    private List<PodInfo> podsA;
    private List<PodInfo> podsB;
    private boolean flip;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("nftreconcile");
        support = new NftBenchSupport(ns.path());
        sets = IptablesBenchNamespace.sets(4);
        podsA = IptablesBenchNamespace.pods(IptablesBenchNamespace.PODS, 0);
        podsB = new ArrayList<>(podsA.subList(1, podsA.size()));
        podsB.add(IptablesBenchNamespace.pods(1, IptablesBenchNamespace.PODS).get(0));
        support.reconcile(podsA, sets);
    }

    @TearDown
    public void tearDown() {
        support.close();
        ns.close();
    }

    @Benchmark
    public int unchanged() throws Exception {
        flip = false;
        return support.reconcileScriptLength(podsA, sets);
    }

    @Benchmark
    public int onePodReplaced() throws Exception {
        flip = !flip;
        return support.reconcileScriptLength(flip ? podsB : podsA, sets);
    }

    @Benchmark
    public int fromScratch() throws Exception {
        support.cleanup();
        return support.reconcileScriptLength(podsA, sets);
    }
}
