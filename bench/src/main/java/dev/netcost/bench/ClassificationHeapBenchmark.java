package dev.netcost.bench;

import dev.netcost.core.k8s.TrafficClassifier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jol.info.GraphLayout;

/**
 * Heap and rebuild time of the classification index. The benchmark measures a full rebuild (what the
 * metadata thread does after a change); the retained size is measured with JOL's object-graph walk
 * ({@code GraphLayout.parseInstance(classifier).totalSize()}: every object reachable from the classifier,
 * exactly, with this JVM's layout) and printed at tear-down, and by {@link #main} without JMH.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClassificationHeapBenchmark {
    @Param({"10000", "150000"})
    int ips;

    private ClassificationFixture.Cluster cluster;

    @Setup
    public void setUp() {
        cluster = ClassificationFixture.cluster(ips, 42);
    }

    @Benchmark
    public TrafficClassifier rebuild() {
        return cluster.builder().build();
    }

    @TearDown(Level.Trial)
    public void report() {
        System.out.println();
        System.out.println(line(ips));
    }

    static String line(int ips) {
        TrafficClassifier c = ClassificationFixture.cluster(ips, 42).builder().build();
        long bytes = GraphLayout.parseInstance(c).totalSize();
        return String.format("retained heap of the classifier with %,d endpoint IPs: %,d bytes = %.3f MiB"
                + " (%.1f bytes per IP, %.3f MiB per 10,000 IPs)", ips, bytes, bytes / 1048576.0,
                bytes / (double) ips, bytes / (double) ips * 10_000 / 1048576.0);
    }

    public static void main(String[] args) {
        for (int n : new int[] {10_000, 150_000}) {
            System.out.println(line(n));
        }
    }
}
