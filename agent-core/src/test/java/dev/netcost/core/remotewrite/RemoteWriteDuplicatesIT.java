package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSample;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.VictoriaMetricsProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the real servers do with samples sent twice — the durable queue's at-least-once delivery —
 * checked rather than assumed (docs/remote-write.md quotes these results):
 * <ul>
 *   <li>Prometheus 2.42 accepts an exact duplicate of a series' newest sample and stores it once, but
 *       refuses a whole request (HTTP 400 "out of order sample", nothing of it stored) when it holds a
 *       sample older than the series' newest — so a resent sample must never share a request with new
 *       ones. The queue therefore resends only what was in flight at the crash, alone.</li>
 *   <li>VictoriaMetrics 1.79 (default flags) accepts duplicates and stores each copy; {@code increase()}
 *       is unchanged, raw points repeat unless {@code -dedup.minScrapeInterval} is set.</li>
 * </ul>
 */
class RemoteWriteDuplicatesIT {
    @TempDir
    Path dataDir;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static RemoteWriteConfig config(String name, java.net.URI url) {
        return new RemoteWriteConfig(name, url, null, null, RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(),
                Duration.ofSeconds(10), new RemoteWriteConfig.QueueConfig(1000, 1, 2000, 1 << 20,
                        Duration.ofMillis(20), Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    private static List<Sample> cycles(long t0, int n) {
        List<Sample> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            out.add(new Sample(Labels.of("netcost_dup_test_total", "pod", "p"), 100.0 * c, t0 + c * 10_000L));
        }
        return out;
    }

    /** Sends {@code samples} as one request, in memory; true when the endpoint accepted it. */
    private boolean send(RemoteWriteConfig rw, List<Sample> samples) throws Exception {
        try (RemoteWriteSink sink = RemoteWriteSink.builder().config(rw).meters(meters).build()) {
            sink.write(samples);
            return sink.flush(Duration.ofSeconds(30));
        }
    }

    private static List<Long> timestamps(List<QueriedSeries> raw) {
        return raw.get(0).samples().stream().map(QueriedSample::timestampMillis).toList();
    }

    @Test
    void prometheus_storesAnExactDuplicateOfTheNewestOnce_butRefusesARequestHoldingAnOlderOne() throws Exception {
        long t0 = System.currentTimeMillis() - 60_000;
        List<Sample> c = cycles(t0, 5);
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            RemoteWriteConfig rw = config("prometheus", prom.remoteWriteUrl());
            assertThat(send(rw, c.subList(0, 4))).isTrue();
            assertThat(send(rw, c.subList(3, 4))).as("the newest sample again").isTrue();
            assertThat(send(rw, c.subList(2, 5))).as("an older sample again, with a new one").isFalse();

            List<QueriedSeries> raw = prom.queries().rawSamples("netcost_dup_test_total",
                    Instant.ofEpochMilli(t0 - 1000), Instant.ofEpochMilli(t0 + 41_000));
            assertThat(timestamps(raw)).as("stored once each; the new sample went down with the refused request")
                    .containsExactly(t0, t0 + 10_000, t0 + 20_000, t0 + 30_000);
        }
    }

    @Test
    void victoriaMetrics_acceptsDuplicates_andStoresEachCopy_withIncreaseUnchanged() throws Exception {
        long t0 = System.currentTimeMillis() - 60_000;
        List<Sample> c = cycles(t0, 5);
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            RemoteWriteConfig rw = config("victoria-metrics", vm.remoteWriteUrl());
            assertThat(send(rw, c.subList(0, 4))).isTrue();
            assertThat(send(rw, c.subList(2, 5))).isTrue();

            List<QueriedSeries> raw = vm.queries().awaitRawSamples("netcost_dup_test_total",
                    Instant.ofEpochMilli(t0 - 1000), Instant.ofEpochMilli(t0 + 41_000),
                    r -> r.size() == 1 && r.get(0).samples().size() >= 7);
            assertThat(timestamps(raw)).containsExactly(t0, t0 + 10_000, t0 + 20_000, t0 + 20_000, t0 + 30_000,
                    t0 + 30_000, t0 + 40_000);
            double increase = vm.queries().query("increase(netcost_dup_test_total[45s])",
                    Instant.ofEpochMilli(t0 + 40_000)).get(0).value();
            assertThat(increase).isEqualTo(400.0);
        }
    }

    @Test
    void afterACrash_theRequestInFlight_isResentAlone_andARefusalAsAlreadyStoredLosesNothing() throws Exception {
        long t0 = System.currentTimeMillis() - 60_000;
        List<Sample> c = cycles(t0, 6);
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            RemoteWriteConfig rw = config("prometheus", prom.remoteWriteUrl());
            // The last run: cycles 0..3 queued; 0..3 sent as one request and stored; then the crash,
            // before the answer was recorded. (The queue is written directly to stage that moment.)
            Path shardDir = QueueDirectory.shard(QueueDirectory.of(dataDir, rw), 0);
            DiskSampleQueue before = new DiskSampleQueue(shardDir, new DiskSampleQueue.Options(1000, 1 << 20,
                    Duration.ofHours(1), RemoteWriteConfig.Fsync.NEVER, Duration.ofSeconds(1)), Clock.systemUTC(),
                    (reason, n) -> { });
            c.subList(0, 4).forEach(before::offer);
            before.seal();
            for (int i = 0; i < 4; i++) {
                before.poll();
            }
            before.sending(4);
            assertThat(send(rw, c.subList(0, 4))).isTrue();
            before.shutdown();

            try (RemoteWriteSink sink = RemoteWriteSink.builder().config(rw).meters(meters).dataDir(dataDir).build()) {
                sink.write(c.subList(4, 6));
                assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
            }
            assertThat(meters.get("netcost.agent.remote.write.samples.dropped").tag("reason", "rejected")
                    .counter().count()).isZero();
            List<QueriedSeries> raw = prom.queries().awaitRawSamples("netcost_dup_test_total",
                    Instant.ofEpochMilli(t0 - 1000), Instant.ofEpochMilli(t0 + 51_000),
                    r -> r.size() == 1 && r.get(0).samples().size() >= 6);
            assertThat(timestamps(raw)).containsExactly(t0, t0 + 10_000, t0 + 20_000, t0 + 30_000, t0 + 40_000,
                    t0 + 50_000);
        }
    }
}
