package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.testing.FreePorts;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSample;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.RemoteWriteReceiver;
import dev.netcost.core.testing.VictoriaMetricsProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable queue end to end: the shaded jar as a real process, a test exporter whose value counts
 * the cycles ({@link CycleCounterExporterFactory}), real Prometheus and VictoriaMetrics behind proxies
 * the test takes down, and SIGKILLs during the outage. Every collected cycle must arrive, in order.
 */
class DurableQueueProcessIT {
    private static final Duration AWAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    private Path counter;
    private Path services;
    private final List<Process> agents = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void testExporterOnTheAgentsClassPath() throws IOException {
        counter = tmp.resolve("counter");
        services = tmp.resolve("services");
        Path file = services.resolve("META-INF/services/dev.netcost.core.spi.ExporterFactory");
        Files.createDirectories(file.getParent());
        Files.writeString(file, CycleCounterExporterFactory.class.getName() + "\n");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Process start(Path config) throws IOException {
        Process p = AgentJar.startWithClasspath(tmp.resolve("agent.log"),
                List.of(Path.of("target", "test-classes"), services), jvmFlags, "node", "--config", config.toString());
        agents.add(p);
        return p;
    }

    private void sigkill(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no flush
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    private long count() {
        return CycleCounterExporterFactory.read(counter);
    }

    private void awaitCycles(long atLeast) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(100)).until(() -> count() >= atLeast);
    }

    private String log() throws IOException {
        return Files.readString(tmp.resolve("agent.log"), StandardCharsets.UTF_8);
    }

    private Path config(String extra, RecordingProxy... proxies) throws IOException {
        StringBuilder rw = new StringBuilder();
        // one proxy: VictoriaMetrics; two: Prometheus, then VictoriaMetrics
        String[] names = proxies.length == 1 ? new String[] {"victoria-metrics"}
                : new String[] {"prometheus", "victoria-metrics"};
        for (int i = 0; i < proxies.length; i++) {
            rw.append("  - name: ").append(names[i]).append("\n    url: ").append(proxies[i].url())
                    .append("\n    queue: {shards: 1, minBackoff: 50ms, maxBackoff: 200ms").append(extra).append("}\n");
        }
        Path cfg = tmp.resolve("netcost.yaml");
        Files.writeString(cfg, """
                nodeName: it-node
                interval: 1s
                exporterTimeout: 800ms
                kubernetes: {enabled: false}
                debug: {listen: "127.0.0.1:%d"}
                dataDir: %s
                testCycle: {counterFile: %s, series: %d}
                remoteWrite:
                """.formatted(debugPort, dataDir, counter, bulkSeries) + rw);
        return cfg;
    }

    private int debugPort = 0;
    private List<String> jvmFlags = List.of();
    private Path dataDir;
    private int bulkSeries;

    private RecordingProxy proxy(RemoteWriteReceiver receiver) throws IOException {
        RecordingProxy p = new RecordingProxy(receiver.remoteWriteUrl());
        closeables.add(0, p);
        return p;
    }

    private static Set<Long> expected(long upTo, Set<Long> mayBeMissing) {
        Set<Long> out = new TreeSet<>();
        for (long v = 1; v <= upTo; v++) {
            if (!mayBeMissing.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** The last segment file of the endpoint's (only) shard, as a kill in the middle of a write leaves it. */
    private Path lastSegment(String endpoint) throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("queue"))) {
            return files.filter(p -> p.toString().endsWith(".seg"))
                    .filter(p -> p.getParent().getParent().getFileName().toString().startsWith(endpoint + "-"))
                    .filter(p -> p.toFile().length() > 0).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void killedTwiceDuringAnOutage_andOnceMidWrite_everyCollectedCycleArrives_inOrder() throws Exception {
        dataDir = tmp.resolve("data");
        try (PrometheusProcess prom = PrometheusProcess.start(); VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            RecordingProxy toProm = proxy(prom);
            RecordingProxy toVm = proxy(vm);
            Path cfg = config("", toProm, toVm);
            Instant begin = Instant.now().minusSeconds(5);

            Process first = start(cfg);
            await().atMost(AWAIT).until(() -> toProm.accepted().size() >= 3 && toVm.accepted().size() >= 3);

            toProm.down(true);
            toVm.down(true);
            awaitCycles(count() + 4);
            sigkill(first);
            long killed1 = count();

            Process second = start(cfg);
            awaitCycles(killed1 + 3);
            sigkill(second);
            long killed2 = count();
            // A kill in the middle of a write leaves the last record cut short: cut it as such a write would.
            for (String endpoint : List.of("prometheus", "victoria-metrics")) {
                Path seg = lastSegment(endpoint);
                try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
                    f.setLength(f.length() - 9);
                }
            }

            Process third = start(cfg);
            awaitCycles(killed2 + 3);
            toProm.down(false);
            toVm.down(false);

            // The cycle being collected at each kill may not have reached the queue; the torn record
            // (the newest before the second kill) is gone with the write that tore it.
            Set<Long> mayBeMissing = Set.of(killed1, killed2 - 1, killed2);
            long upTo = count() - 1;
            for (RecordingProxy p : List.of(toProm, toVm)) {
                await().atMost(AWAIT).until(() -> p.accepted().containsAll(expected(upTo, mayBeMissing)));
            }
            third.destroy();
            assertThat(third.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(log()).contains("truncated a torn tail");

            System.out.printf("durable queue IT: cycles 1..%d, SIGKILL at %d and %d (torn), arrivals %d at Prometheus"
                    + " and %d at VictoriaMetrics%n", upTo, killed1, killed2, toProm.accepted().size(),
                    toVm.accepted().size());
            for (RecordingProxy p : List.of(toProm, toVm)) {
                List<Long> arrived = p.accepted();
                Set<Long> firstArrivals = new LinkedHashSet<>(arrived);
                assertThat(new ArrayList<>(firstArrivals)).as("in order").isSorted();
                assertThat(firstArrivals).containsAll(expected(upTo, mayBeMissing));
                assertThat(firstArrivals.contains(killed2 - 1) && firstArrivals.contains(killed2))
                        .as("the torn record (cycle %d or %d) is lost with the write that tore it", killed2 - 1, killed2)
                        .isFalse();
            }
            // And the servers stored them: each value once in Prometheus.
            Instant end = Instant.now().plusSeconds(1);
            for (RemoteWriteReceiver r : List.of(prom, vm)) {
                RecordingProxy p = r == prom ? toProm : toVm;
                List<QueriedSeries> raw = r.queries().awaitRawSamples("netcost_test_cycle", begin, end,
                        s -> s.size() == 1 && Set.copyOf(values(s)).containsAll(new LinkedHashSet<>(p.accepted())));
                if (r == prom) {
                    assertThat(values(raw)).doesNotHaveDuplicates();
                }
            }
        }
    }

    private static List<Long> values(List<QueriedSeries> raw) {
        return raw.get(0).samples().stream().map(QueriedSample::value).map(Double::longValue).toList();
    }

    private String metrics() {
        return AgentJar.fetch(HttpClient.newHttpClient(),
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + debugPort + "/metrics")).build());
    }

    private double metric(String line) {
        return metrics().lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l ->
                Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        id.waitFor();
        return uid.equals("0");
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    @Test
    void dataDirOnATmpfsThatFills_orIsReadOnly_queuesInMemory_keepsRunning_andLosesNothing() throws Exception {
        if (!isRoot()) {
            System.out.println("SKIPPED dataDirOnATmpfsThatFills: mounting a tmpfs needs root (CI runs as root)");
            org.junit.jupiter.api.Assumptions.abort("mounting a tmpfs needs root");
        }
        dataDir = tmp.resolve("small");
        Files.createDirectories(dataDir);
        run("mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "netcost-it", dataDir.toString());
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            RecordingProxy toVm = proxy(vm);
            debugPort = FreePorts.loopbackPort();
            bulkSeries = 1000; // ~100 KB a cycle: the tmpfs is full after two or three cycles
            Process agent = start(config(", maxDiskBytes: 64MiB", toVm));
            await().atMost(AWAIT).until(() -> toVm.accepted().size() >= 2);

            toVm.down(true);
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> metric(
                    "netcost_agent_remote_write_queue_memory_fallback{endpoint=\"victoria-metrics\"}") == 1.0);
            awaitCycles(count() + 3);
            assertThat(agent.isAlive()).isTrue();
            toVm.down(false);

            long upTo = count() - 1;
            await().atMost(AWAIT).until(() -> toVm.accepted().containsAll(expected(upTo, Set.of())));
            assertThat(new ArrayList<>(new LinkedHashSet<>(toVm.accepted()))).isSorted();
            assertThat(log()).contains("queueing in memory from now on");
            agent.destroy();
            assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();

            // The same dataDir read-only from the start: memory from the first cycle, still delivering.
            run("mount", "-o", "remount,ro", dataDir.toString());
            long before = count();
            Process readOnly = start(config(", maxDiskBytes: 64MiB", toVm));
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> metric(
                    "netcost_agent_remote_write_queue_memory_fallback{endpoint=\"victoria-metrics\"}") == 1.0);
            await().atMost(AWAIT).until(() -> toVm.accepted().contains(before + 2));
            assertThat(log()).contains("the durable queue cannot use");
            readOnly.destroy();
            assertThat(readOnly.waitFor(15, TimeUnit.SECONDS)).isTrue();
        } finally {
            for (Process p : agents) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            run("umount", dataDir.toString());
        }
    }

    @Test
    void beyondMaxDiskBytes_theOldestCyclesAreDropped_counted_andTheNewestArriveInOrder() throws Exception {
        dataDir = tmp.resolve("data");
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            RecordingProxy toVm = proxy(vm);
            debugPort = FreePorts.loopbackPort();
            bulkSeries = 1000;
            Process agent = start(config(", maxDiskBytes: 1MiB", toVm));
            await().atMost(AWAIT).until(() -> toVm.accepted().size() >= 2);

            toVm.down(true);
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(200)).until(() -> metric(
                    "netcost_agent_remote_write_samples_dropped_total{endpoint=\"victoria-metrics\",reason=\"max_disk_bytes\"}")
                    >= 3 * 1010);
            long onDisk;
            try (Stream<Path> files = Files.walk(dataDir)) {
                onDisk = files.filter(p -> p.toString().endsWith(".seg")).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(onDisk).isLessThanOrEqualTo(1L << 20);
            toVm.down(false);

            long upTo = count() - 1;
            await().atMost(AWAIT).until(() -> toVm.accepted().contains(upTo));
            List<Long> arrived = toVm.accepted().stream().distinct().toList();
            assertThat(arrived).as("in order").isSorted();
            List<Long> missing = new ArrayList<>(expected(upTo, Set.copyOf(arrived)));
            assertThat(missing).as("the oldest cycles of the outage, dropped").hasSizeGreaterThanOrEqualTo(3);
            assertThat(missing).as("one contiguous run: everything newer arrived")
                    .containsExactlyElementsOf(expected(missing.get(missing.size() - 1),
                            expected(missing.get(0) - 1, Set.of())));
            assertThat(log()).contains("queue.maxDiskBytes");
            agent.destroy();
            assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aLargeBacklog_drainsWithinASmallHeap_whileNewCyclesKeepComing() throws Exception {
        dataDir = tmp.resolve("data");
        // 10,000 series a second; a 64 MiB heap could not hold the backlog below in memory
        jvmFlags = List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError");
        bulkSeries = 10_000;
        debugPort = FreePorts.loopbackPort();
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            RecordingProxy toVm = proxy(vm);
            Process agent = start(config(", maxCatchupSamplesPerSecond: 100000", toVm));
            await().atMost(AWAIT).until(() -> toVm.accepted().size() >= 2);
            toVm.down(true);
            long from = count();
            awaitCycles(from + 25); // ≈ 250,000 samples queued on disk
            double queued = metric("netcost_agent_remote_write_queue_length{endpoint=\"victoria-metrics\"}");
            toVm.down(false);

            long upTo = count() - 1;
            await().atMost(AWAIT).until(() -> toVm.accepted().containsAll(expected(upTo, Set.of())));
            assertThat(agent.isAlive()).as("not killed by OutOfMemoryError").isTrue();
            assertThat(log()).doesNotContain("OutOfMemoryError");
            assertThat(new ArrayList<>(new LinkedHashSet<>(toVm.accepted()))).isSorted();
            System.out.printf("durable queue IT: %.0f samples queued at the end of the outage, drained in a 64 MiB"
                    + " heap%n", queued);
            assertThat(queued).isGreaterThan(200_000);
            agent.destroy();
            assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }
}
