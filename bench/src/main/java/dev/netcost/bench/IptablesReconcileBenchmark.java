package dev.netcost.bench;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.iptables.IptablesBenchSupport;
import java.util.ArrayList;
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
 * Reconciling the counters of 250 pods (every class in use, one CIDR each: 2,000 counting rules in the
 * class-chain layout of iptables-legacy ({@code legacy}) or iptables-nft ({@code nft}), or 2,000 named
 * counters in the {@code nft} backend's table ({@code nftables}, where save/restore read "nft list" /
 * "nft -f")): {@code unchanged} is the cost of a
 * cycle that finds nothing to do ({@code save -c} + plan), {@code onePodReplaced} one pod going and
 * another coming (save + one restore transaction), {@code fromScratch} all 250 pods (restore of the
 * whole ruleset after a cleanup, cleanup included).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class IptablesReconcileBenchmark {
    @Param({"legacy", "nft", "nftables"})
    public String family;

    private IptablesBenchNamespace ns;
    private IptablesBenchSupport support;
    private ClassificationSets sets;
    private List<PodInfo> podsA;
    private List<PodInfo> podsB;
    private boolean flip;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("reconcile");
        support = new IptablesBenchSupport(ns.path());
        sets = IptablesBenchNamespace.sets(4);
        podsA = IptablesBenchNamespace.pods(IptablesBenchNamespace.PODS, 0);
        podsB = new ArrayList<>(podsA.subList(1, podsA.size()));
        podsB.add(IptablesBenchNamespace.pods(1, IptablesBenchNamespace.PODS).get(0));
        support.reconcile(family, podsA, sets);
    }

    @TearDown
    public void tearDown() {
        support.close();
        ns.close();
    }

    @Benchmark
    public int unchanged() throws Exception {
        flip = false;
        return support.reconcile(family, podsA, sets);
    }

    @Benchmark
    public int onePodReplaced() throws Exception {
        flip = !flip;
        return support.reconcile(family, flip ? podsB : podsA, sets);
    }

    @Benchmark
    public int fromScratch() throws Exception {
        support.cleanup(family);
        return support.reconcile(family, podsA, sets);
    }
}
