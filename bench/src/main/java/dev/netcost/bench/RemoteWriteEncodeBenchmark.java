package dev.netcost.bench;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.SnappyBlockCompressor;
import dev.netcost.core.remotewrite.WriteRequestEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + snappy-compress one remote-write batch of 2,000 samples, as a shard does per request.
 * Results are per sample ({@code OperationsPerInvocation}); run with {@code -prof gc} to see the
 * allocation per sample ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RemoteWriteEncodeBenchmark {
    static final int BATCH = 2000;

    private final WriteRequestEncoder encoder = new WriteRequestEncoder(1 << 16);
    private final SnappyBlockCompressor compressor = new SnappyBlockCompressor();
    private List<Sample> batch;

    @Setup
    public void setUp() {
        batch = nodeBatch(BATCH);
    }

    /** {@code n} samples shaped like a node's cycle: cAdvisor and netcost families, 9 labels each. */
    static List<Sample> nodeBatch(int n) {
        List<Sample> batch = new ArrayList<>(n);
        String[] families = {"container_network_receive_bytes_total", "container_network_transmit_bytes_total",
            "netcost_pod_network_bytes_total", "netcost_pod_network_packets_total"};
        for (int i = 0; i < n; i++) {
            int pod = i / 8;
            Labels labels = Labels.builder(families[i % families.length])
                    .add("namespace", "team-" + (pod % 17))
                    .add("pod", "checkout-7d9f8b6c5-" + Integer.toString(100_000 + pod * 7919, 36))
                    .add("workload", "checkout-" + (pod % 23))
                    .add("workload_kind", "Deployment")
                    .add("node", "ip-10-0-12-34.us-east-2.compute.internal")
                    .add("zone", "us-east-2a")
                    .add("direction", (i & 1) == 0 ? "ingress" : "egress")
                    .add("class", new String[] {"same_zone", "cross_zone", "in_vpc", "internet"}[(i >> 1) & 3])
                    .build();
            batch.add(new Sample(labels, 1.0e9 + i * 4096.0, 1_764_000_000_000L + i));
        }
        return batch;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encodeAndCompress() {
        encoder.reset();
        for (int i = 0; i < batch.size(); i++) {
            encoder.add(batch.get(i));
        }
        compressor.compress(encoder.buffer(), encoder.size());
        return compressor.size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encodeOnly() {
        encoder.reset();
        for (int i = 0; i < batch.size(); i++) {
            encoder.add(batch.get(i));
        }
        return encoder.size();
    }
}
