package dev.netcost.bench;

import dev.netcost.cadvisor.CadvisorConfig;
import dev.netcost.cadvisor.CadvisorExporterFactory;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ClassificationConfig;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One collection of the cadvisor exporter's procfs source for {@code pods} pods, through the
 * exporter the agent would create. The pods live in a fake /proc and cgroup v2 tree on tmpfs
 * (/dev/shm): per pod a process directory with {@code ns/net}, {@code net/dev} (lo + eth0) and
 * {@code cgroup}, and a kubelet systemd-driver pod slice with {@code cgroup.procs}; so the timing
 * covers the file-system work (cgroup check, namespace link, net/dev read) and parsing, not the
 * kernel's generation of net/dev, which real /proc adds per pod.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class CadvisorProcfsBenchmark {
    @Param({"250"})
    public int pods;

    private Path root;
    private Exporter exporter;

    @Setup
    public void setUp() throws IOException {
        Path shm = Path.of("/dev/shm");
        root = Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")),
                "netcost-procfs-bench");
        Path proc = Files.createDirectories(root.resolve("proc"));
        Path cgroup = Files.createDirectories(root.resolve("cgroup"));
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026531840]"));
        List<PodInfo> infos = new ArrayList<>();
        for (int p = 0; p < pods; p++) {
            int pid = 10_000 + p;
            String uid = String.format("%08x-1c2d-4e5f-8a9b-%012x", 0x3b1f6a7e + p, 0x0c1d2e3f4a5bL + p);
            String slice = "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uid.replace('-', '_')
                    + ".slice";
            Path scope = Files.createDirectories(cgroup.resolve(slice + "/cri-containerd-" + pid + ".scope"));
            Files.writeString(scope.resolve("cgroup.procs"), pid + "\n");
            Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
            Files.createDirectories(dir.resolve("ns"));
            Files.createSymbolicLink(dir.resolve("ns/net"), Path.of("net:[" + (4026532000L + p) + "]"));
            Files.createDirectories(dir.resolve("net"));
            Files.writeString(dir.resolve("net/dev"), """
                    Inter-|   Receive                                                |  Transmit
                     face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                        lo:   12345      67    0    0    0     0          0         0    12345      67    0    0    0     0       0          0
                      eth0: %d  %d    0    0    0     0          0         0 %d  %d    0    0    0     0       0          0
                    """.formatted(1_000_000_000L + p, 900_000 + p, 2_000_000_000L + p, 800_000 + p));
            Files.writeString(dir.resolve("cgroup"), "0::/" + slice + "/cri-containerd-" + pid + ".scope\n");
            infos.add(new PodInfo("team-" + (p % 17), "pod-" + p, uid, List.of("10.1.0." + p), false, Map.of(),
                    "service-" + (p % 41), "Deployment"));
        }
        CadvisorExporterFactory factory = new CadvisorExporterFactory();
        AgentConfig config = new ConfigLoader(Map.of(), List.of(factory)).loadString("""
                nodeName: bench
                cadvisor:
                  source: procfs
                  procRoot: %s
                  cgroupRoot: %s
                """.formatted(proc, cgroup));
        ExporterContext ctx = new ExporterContext(config, new SimpleMeterRegistry(), Clock.systemUTC(),
                new StaticClusterMetadata("bench", "", infos, ClassificationConfig.DEFAULT));
        exporter = factory.create(config.exporterConfig("cadvisor", CadvisorConfig.class), ctx);
        int[] n = new int[1];
        try {
            exporter.collect((l, v, ts) -> n[0]++);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (n[0] != pods * 8) {
            throw new IllegalStateException("BUG: expected " + pods * 8 + " series, got " + n[0]);
        }
    }

    @Benchmark
    public void collect(Blackhole bh) throws Exception {
        exporter.collect((Labels l, double v, long ts) -> bh.consume(l));
    }

    @TearDown
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
