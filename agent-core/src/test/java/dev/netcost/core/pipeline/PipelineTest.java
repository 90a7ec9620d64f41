package dev.netcost.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.spi.SourceUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final LatestSamplesSink latest = new LatestSamplesSink();
    private final List<List<Sample>> written = new ArrayList<>();
    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final CountDownLatch release = new CountDownLatch(1);
    private Pipeline pipeline;

    @AfterEach
    void close() {
        release.countDown();
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private Pipeline.Builder builder() {
        return Pipeline.builder().meters(meters).clock(clock).nodeName("node-1").sink(latest)
                .exporterTimeout(Duration.ofMillis(300)).sink(new RecordingSink(written));
    }

    @Test
    void failingAndHangingExportersNeverStopTheOthers() {
        pipeline = builder()
                .exporter(exporter("good", out -> out.accept(Labels.of("good_metric", "pod", "a"), 1)))
                .exporter(exporter("broken", out -> {
                    throw new IllegalStateException("kaput");
                }))
                .exporter(exporter("absent", out -> {
                    throw new SourceUnavailableException("no kubelet here");
                }))
                .exporter(exporter("stuck", out -> {
                    // ignores interrupts, like a native call would
                    while (release.getCount() > 0) {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            // keep hanging
                        }
                    }
                }))
                .build();

        CycleResult first = pipeline.runOnce();
        assertThat(first.success()).containsEntry("good", true).containsEntry("broken", false)
                .containsEntry("absent", false).containsEntry("stuck", false);
        assertThat(latest.latest()).extracting(s -> s.labels().metricName()).contains("good_metric");

        clock.advance(15_000);
        CycleResult second = pipeline.runOnce();
        assertThat(second.success()).containsEntry("good", true).containsEntry("stuck", false);
        assertThat(value("netcost_agent_exporter_success", "good")).isEqualTo(1);
        assertThat(value("netcost_agent_exporter_success", "stuck")).isEqualTo(0);
        assertThat(value("netcost_agent_exporter_duration_seconds", "stuck")).isGreaterThanOrEqualTo(0.3);
        assertThat(meters.get("netcost.agent.exporter.success").tag("exporter", "broken").gauge().value()).isZero();
        assertThat(meters.get("netcost.agent.exporter.success").tag("exporter", "good").gauge().value()).isEqualTo(1);
    }

    @Test
    void stampsSamplesWithCycleTime_unlessTheExporterGaveOne() {
        pipeline = builder().exporter(exporter("e", out -> {
            out.accept(Labels.of("a"), 1);
            out.accept(Labels.of("b"), 2, 1234L);
        })).build();
        pipeline.runOnce();
        assertThat(latest.latest()).filteredOn(s -> s.labels().metricName().equals("a"))
                .extracting(Sample::timestampMs).containsExactly(clock.millis());
        assertThat(latest.latest()).filteredOn(s -> s.labels().metricName().equals("b"))
                .extracting(Sample::timestampMs).containsExactly(1234L);
    }

    @Test
    void sendsOneStaleMarker_whenASeriesDisappears() {
        AtomicReference<List<String>> pods = new AtomicReference<>(List.of("a", "b"));
        pipeline = builder().exporter(podBytes(pods)).build();
        pipeline.runOnce();
        pods.set(List.of("a"));
        clock.advance(15_000);
        pipeline.runOnce();
        clock.advance(15_000);
        pipeline.runOnce();

        assertThat(staleMarkers(written.get(0))).isEmpty();
        assertThat(staleMarkers(written.get(1))).extracting(Sample::labels)
                .containsExactly(Labels.of("bytes_total", "pod", "b"));
        assertThat(staleMarkers(written.get(1)).get(0).timestampMs()).isEqualTo(clock.millis() - 15_000);
        assertThat(staleMarkers(written.get(2))).isEmpty();
        assertThat(latest.latest()).noneMatch(Sample::isStaleMarker);
    }

    @Test
    void externalLabels_reachEverySample_includingOwnSeriesAndStaleMarkers() {
        AtomicReference<List<String>> pods = new AtomicReference<>(List.of("a", "b"));
        pipeline = builder().externalLabels(java.util.Map.of("cluster", "prod-eu", "job", "netcost"))
                .exporter(podBytes(pods)).build();
        pipeline.runOnce();
        pods.set(List.of("a"));
        clock.advance(15_000);
        pipeline.runOnce();

        for (List<Sample> cycle : written) {
            assertThat(cycle).isNotEmpty().allSatisfy(s -> {
                assertThat(s.labels().get("cluster")).isEqualTo("prod-eu");
                assertThat(s.labels().get("job")).isEqualTo("netcost");
            });
        }
        assertThat(staleMarkers(written.get(1))).extracting(Sample::labels)
                .containsExactly(Labels.of("bytes_total", "pod", "b", "cluster", "prod-eu", "job", "netcost"));
        assertThat(written.get(1)).extracting(s -> s.labels().metricName()).contains("netcost_agent_exporter_success");
    }

    @Test
    void externalLabels_neverOverrideALabelTheSeriesHas() {
        pipeline = builder().externalLabels(java.util.Map.of("job", "netcost", "cluster", "c1"))
                .exporter(exporter("e", out -> out.accept(Labels.of("up", "job", "kubelet"), 1))).build();
        pipeline.runOnce();
        clock.advance(15_000);
        pipeline.runOnce(); // the second cycle goes through the remembered label sets

        for (List<Sample> cycle : written) {
            assertThat(cycle).filteredOn(s -> s.labels().metricName().equals("up")).singleElement()
                    .satisfies(s -> assertThat(s.labels()).isEqualTo(Labels.of("up", "job", "kubelet", "cluster", "c1")));
        }
    }

    @Test
    void withoutExternalLabels_samplesAreTheExportersOwn() {
        Labels series = Labels.of("bytes_total", "pod", "a");
        pipeline = builder().exporter(exporter("e", out -> out.accept(series, 1))).build();
        pipeline.runOnce();
        assertThat(written.get(0)).filteredOn(s -> s.labels().metricName().equals("bytes_total"))
                .singleElement().satisfies(s -> assertThat(s.labels()).isSameAs(series));
    }

    /** An exporter "e" sending bytes_total{pod} = 10 for each pod currently in {@code pods}. */
    private static Exporter podBytes(AtomicReference<List<String>> pods) {
        return exporter("e", out -> {
            for (String p : pods.get()) {
                out.accept(Labels.of("bytes_total", "pod", p), 10);
            }
        });
    }

    @Test
    void failedCycleSendsNoStaleMarkers() {
        AtomicReference<Boolean> fail = new AtomicReference<>(false);
        pipeline = builder().exporter(exporter("e", out -> {
            if (fail.get()) {
                throw new java.io.IOException("connection refused");
            }
            out.accept(Labels.of("bytes_total", "pod", "a"), 10);
        })).build();
        pipeline.runOnce();
        fail.set(true);
        clock.advance(15_000);
        pipeline.runOnce();
        fail.set(false);
        clock.advance(15_000);
        pipeline.runOnce();
        for (List<Sample> cycle : written) {
            assertThat(staleMarkers(cycle)).isEmpty();
        }
    }

    @Test
    void isReadyAfterTheFirstCycle() {
        pipeline = builder().exporter(exporter("e", out -> { })).build();
        assertThat(pipeline.isReady()).isFalse();
        pipeline.runOnce();
        assertThat(pipeline.isReady()).isTrue();
    }

    @Test
    void aThrowingSinkDoesNotStopOtherSinks() {
        pipeline = Pipeline.builder().meters(meters).clock(clock).nodeName("n")
                .sink(new RecordingSink(null)).sink(latest)
                .exporter(exporter("e", out -> out.accept(Labels.of("x"), 1))).build();
        pipeline.runOnce();
        assertThat(latest.latest()).isNotEmpty();
    }

    private double value(String series, String exporter) {
        return latest.latest().stream()
                .filter(s -> s.labels().metricName().equals(series) && exporter.equals(s.labels().get("exporter")))
                .peek(s -> assertThat(s.labels().get("node")).isEqualTo("node-1"))
                .findFirst().orElseThrow().value();
    }

    private static List<Sample> staleMarkers(List<Sample> cycle) {
        return cycle.stream().filter(Sample::isStaleMarker).toList();
    }

    interface Collect {
        void collect(SampleConsumer out) throws Exception;
    }

    private static Exporter exporter(String name, Collect body) {
        return new Exporter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void collect(SampleConsumer out) throws Exception {
                body.collect(out);
            }
        };
    }

    /** Records each write; a null list makes it throw, like a broken sink. */
    private record RecordingSink(List<List<Sample>> into) implements Sink {
        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void write(List<Sample> samples) {
            if (into == null) {
                throw new IllegalStateException("broken sink");
            }
            into.add(samples);
        }

        @Override
        public boolean flush(Duration timeout) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long millis) {
            this.millis = millis;
        }

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }
}
