package dev.netcost.bench;

import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.k8s.TrafficClassifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * IPv4 classifications per second on one thread, against a classifier holding {@code ips} endpoint
 * addresses (see {@link ClassificationFixture}); each invocation classifies 1,024 queries (half known
 * endpoints, a quarter unknown VPC addresses, a quarter internet). Run with {@code -prof gc} to see that
 * a lookup allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClassificationBenchmark {
    static final int QUERIES = 1024;

    @Param({"10000", "150000"})
    int ips;

    private TrafficClassifier classifier;
    private int[] queries;

    @Setup
    public void setUp() {
        ClassificationFixture.Cluster c = ClassificationFixture.cluster(ips, 42);
        classifier = c.builder().build();
        queries = ClassificationFixture.queries(QUERIES, c.v4Endpoints(), 7);
    }

    @Benchmark
    @OperationsPerInvocation(QUERIES)
    public void classifyIpv4(Blackhole bh) {
        TrafficClassifier c = classifier;
        int[] q = queries;
        for (int i = 0; i < q.length; i++) {
            bh.consume(c.classifyIpv4(q[i]));
        }
    }

    /** The same loop returning a checksum instead of a Blackhole per call: the lookup cost alone. */
    @Benchmark
    @OperationsPerInvocation(QUERIES)
    public int classifyIpv4Sum() {
        TrafficClassifier c = classifier;
        int[] q = queries;
        int sum = 0;
        for (int i = 0; i < q.length; i++) {
            TrafficClass t = c.classifyIpv4(q[i]);
            sum += t.ordinal();
        }
        return sum;
    }
}
