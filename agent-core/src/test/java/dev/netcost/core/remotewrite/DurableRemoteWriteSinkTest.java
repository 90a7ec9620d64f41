package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.prompb.Remote;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink with a durable queue: what an outage, a restart and the endpoint's answers do to it. */
class DurableRemoteWriteSinkTest {
    private static final Duration FLUSH = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private FakeReceiver receiver() throws Exception {
        FakeReceiver r = FakeReceiver.http();
        closeables.add(r);
        return r;
    }

    private static RemoteWriteConfig config(FakeReceiver r, int shards) {
        RemoteWriteConfig.QueueConfig q = new RemoteWriteConfig.QueueConfig(100_000, shards, 50, 1 << 20,
                Duration.ofMillis(50), Duration.ofMillis(5), Duration.ofMillis(20));
        return new RemoteWriteConfig("test", r.url(), null, null, RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(),
                Duration.ofSeconds(5), q);
    }

    private RemoteWriteSink sink(RemoteWriteConfig cfg) throws Exception {
        meters = new SimpleMeterRegistry();
        RemoteWriteSink s = RemoteWriteSink.builder().config(cfg).meters(meters).clock(Clock.systemUTC())
                .dataDir(dataDir).build();
        closeables.add(0, s);
        return s;
    }

    private static List<Sample> cycle(int series, long ts) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            out.add(new Sample(Labels.of("netcost_test", "series", "s" + i), ts, ts));
        }
        return out;
    }

    /** Every received sample by series, in arrival order, with 204 answers only. */
    private static Map<String, List<Long>> delivered(FakeReceiver r) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (FakeReceiver.Received got : r.received()) {
            if (got.status() != 204) {
                continue;
            }
            for (Remote.TimeSeries ts : got.request().getTimeseriesList()) {
                String series = ts.getLabelsList().stream().filter(l -> l.getName().equals("series"))
                        .findFirst().orElseThrow().getValue();
                out.computeIfAbsent(series, k -> new ArrayList<>()).add(ts.getSamples(0).getTimestamp());
            }
        }
        return out;
    }

    private double counter(String name, String reason) {
        return meters.get(name).tag("reason", reason).counter().count();
    }

    @Test
    void queuedDuringAnOutage_survivesARestart_andArrivesInOrder() throws Exception {
        FakeReceiver r = receiver();
        r.down(true);
        RemoteWriteSink first = sink(config(r, 2));
        for (int c = 1; c <= 20; c++) {
            first.write(cycle(30, c));
        }
        assertThat(first.flush(Duration.ofMillis(200))).isFalse();
        first.close();
        assertThat(counter("netcost.agent.remote.write.samples.dropped", "shutdown")).isZero();

        r.down(false);
        RemoteWriteSink second = sink(config(r, 2));
        assertThat(second.pending()).isEqualTo(600);
        second.write(cycle(30, 21));
        assertThat(second.flush(FLUSH)).isTrue();

        Map<String, List<Long>> got = delivered(r);
        assertThat(got).hasSize(30);
        List<Long> everyCycle = new ArrayList<>();
        for (long c = 1; c <= 21; c++) {
            everyCycle.add(c);
        }
        got.forEach((series, ts) -> assertThat(ts).as(series).isEqualTo(everyCycle));
        assertThat(second.queueDir()).isEqualTo(QueueDirectory.of(dataDir, config(r, 2)));
    }

    @Test
    void acknowledgedSamples_areNotSentAgainAfterARestart() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteSink first = sink(config(r, 1));
        first.write(cycle(10, 1));
        assertThat(first.flush(FLUSH)).isTrue();
        first.close();
        int requests = r.received().size();

        RemoteWriteSink second = sink(config(r, 1));
        assertThat(second.pending()).isZero();
        second.write(cycle(10, 2));
        assertThat(second.flush(FLUSH)).isTrue();
        assertThat(delivered(r).get("s3")).containsExactly(1L, 2L);
        assertThat(r.received()).hasSize(requests + 1);
    }

    @Test
    void refusedSamples_areReleasedToo_notRetriedAfterARestart() throws Exception {
        FakeReceiver r = receiver();
        r.respond(FakeReceiver.Response.of(400));
        RemoteWriteSink first = sink(config(r, 1));
        first.write(cycle(5, 1));
        assertThat(first.flush(FLUSH)).isFalse();
        first.close();

        RemoteWriteSink second = sink(config(r, 1));
        assertThat(second.pending()).isZero();
    }

    @Test
    void aQueueWrittenForAnotherUrl_isKeptApart_notSentToThisEndpoint() throws Exception {
        FakeReceiver old = receiver();
        old.down(true);
        RemoteWriteSink first = sink(config(old, 1));
        first.write(cycle(5, 1));
        first.close();

        FakeReceiver now = receiver();
        RemoteWriteSink second = sink(config(now, 1));
        second.write(cycle(5, 2));
        assertThat(second.flush(FLUSH)).isTrue();
        assertThat(delivered(now).get("s0")).containsExactly(2L);
        assertThat(QueueDirectory.of(dataDir, config(old, 1))).isDirectory(); // kept, younger than maxAge
    }

    @Test
    void anUnwritableDataDir_queuesInMemory_withTheFallbackGauge() throws Exception {
        FakeReceiver r = receiver();
        Path file = Files.writeString(dataDir.resolve("not-a-dir"), "x");
        meters = new SimpleMeterRegistry();
        RemoteWriteSink s = RemoteWriteSink.builder().config(config(r, 2)).meters(meters).dataDir(file).build();
        closeables.add(0, s);
        assertThat(meters.get("netcost.agent.remote.write.queue.memory.fallback").gauge().value()).isEqualTo(2);
        s.write(cycle(10, 1));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(delivered(r)).hasSize(10);
    }

    @Test
    void durableFalse_neverTouchesTheDisk() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteConfig cfg = config(r, 1);
        RemoteWriteConfig memoryOnly = new RemoteWriteConfig(cfg.name(), cfg.url(), null, null, cfg.tls(), Map.of(),
                cfg.timeout(), cfg.queue().withDisk(false, 1 << 20, Duration.ofHours(1), 1000,
                        RemoteWriteConfig.Fsync.NEVER, Duration.ofSeconds(1)));
        RemoteWriteSink s = sink(memoryOnly);
        s.write(cycle(3, 1));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(s.queueDir()).isNull();
        try (var files = Files.list(dataDir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void retryingDuringAnOutage_keepsTheQueueGrowingOnDisk_notInMemory() throws Exception {
        FakeReceiver r = receiver();
        r.down(true);
        RemoteWriteSink s = sink(config(r, 1));
        for (int c = 1; c <= 50; c++) {
            s.write(cycle(100, c));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> r.received().size() >= 3);
        assertThat(meters.get("netcost.agent.remote.write.queue.disk").gauge().value()).isPositive();
        assertThat(meters.get("netcost.agent.remote.write.queue.length").gauge().value()).isGreaterThan(4000);
        r.down(false);
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(delivered(r).get("s7")).hasSize(50);
    }
}
