package dev.netcost.bench;

import dev.netcost.core.config.RemoteWriteConfig.Fsync;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.DiskSampleQueue;
import dev.netcost.core.remotewrite.MemorySampleQueue;
import dev.netcost.core.remotewrite.SampleQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One cycle of 2,000 node-like samples through a shard's queue and out again: offer each, seal,
 * poll each, release them — what a shard's queue does per cycle when the endpoint keeps up. The
 * memory queue against the durable queue with each fsync policy, in a directory under
 * {@code -Dnetcost.bench.dir} (default: the temp directory; put it on the disk to measure).
 * Scores are per sample; {@code -prof gc} shows the allocation per sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SampleQueueBenchmark {
    static final int CYCLE = 2000;

    @Param({"memory", "disk-never", "disk-interval-1s", "disk-batch"})
    public String queue;

    private List<Sample> cycle;
    private SampleQueue q;
    private Path dir;

    @Setup
    public void setUp() throws IOException {
        cycle = RemoteWriteEncodeBenchmark.nodeBatch(CYCLE);
        if (queue.equals("memory")) {
            q = new MemorySampleQueue(CYCLE * 2);
            return;
        }
        Fsync fsync = switch (queue) {
            case "disk-never" -> Fsync.NEVER;
            case "disk-interval-1s" -> Fsync.INTERVAL;
            default -> Fsync.BATCH;
        };
        Path base = Path.of(System.getProperty("netcost.bench.dir", System.getProperty("java.io.tmpdir")));
        dir = Files.createTempDirectory(base, "netcost-queue-bench-");
        q = new DiskSampleQueue(dir, new DiskSampleQueue.Options(CYCLE * 2, 512L << 20, Duration.ofHours(2), fsync,
                Duration.ofSeconds(1)), Clock.systemUTC(), (reason, n) -> {
                    throw new IllegalStateException("BUG: the benchmark dropped " + n + " samples: " + reason);
                });
    }

    @TearDown
    public void tearDown() throws IOException {
        q.shutdown();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(CYCLE)
    public double cycleThroughTheQueue() {
        for (int i = 0; i < cycle.size(); i++) {
            q.offer(cycle.get(i));
        }
        q.seal();
        double sum = 0;
        for (Sample s = q.poll(); s != null; s = q.poll()) {
            sum += s.value();
        }
        q.release(CYCLE);
        return sum;
    }
}
