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
import org.awaitility.Awaitility;
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

    @Test
    void anErrorThrownInACycle_isContained_andLaterCyclesStillRun() {
        List<List<Sample>> delivered = new ArrayList<>();
        int[] writes = {0};
        pipeline = Pipeline.builder().meters(meters).clock(clock).nodeName("n").interval(Duration.ofMillis(20))
                .exporter(exporter("e", out -> out.accept(Labels.of("x"), 1)))
                .sink(new Sink() {
                    @Override
                    public String name() {
                        return "flaky";
                    }

                    @Override
                    public void write(List<Sample> samples) {
                        if (writes[0]++ == 0) {
                            throw new AssertionError("an Error, not an Exception");
                        }
                        synchronized (delivered) {
                            delivered.add(samples);
                        }
                    }

                    @Override
                    public boolean flush(Duration timeout) {
                        return true;
                    }

                    @Override
                    public void close() {
                    }
                }).build();
        pipeline.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (delivered) {
                return delivered.size() >= 3;
            }
        });
    }

    @Test
    void aVirtualMachineError_inAnExporterOrACycle_goesToTheFatalHandler() {
        List<Throwable> fatal = new ArrayList<>();
        pipeline = builder().onFatal(fatal::add)
                .exporter(exporter("e", out -> {
                    throw new OutOfMemoryError("Java heap space (test)");
                })).build();
        assertThat(pipeline.runOnce().success()).containsEntry("e", false);
        assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);

        fatal.clear();
        Pipeline other = Pipeline.builder().meters(new SimpleMeterRegistry()).clock(clock).onFatal(fatal::add)
                .exporter(exporter("e", out -> { }))
                .sink(new RecordingSink(null) {
                    @Override
                    public void write(List<Sample> samples) {
                        throw new StackOverflowError("test");
                    }
                }).build();
        try (other) {
            other.runScheduled();
            assertThat(fatal).singleElement().isInstanceOf(StackOverflowError.class);
        }
    }

    @Test
    void liveness_failsWhenNoCycleCompletedForThreeIntervalsPlusTheTimeout_andTheAgeGaugeShowsIt() {
        pipeline = builder().interval(Duration.ofHours(1)).exporter(exporter("e", out -> { })).build();
        assertThat(pipeline.liveness()).as("cycles on demand only: nothing to watch").isNull();
        pipeline.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(pipeline::isReady);
        assertThat(pipeline.liveness()).isNull();
        assertThat(meters.get("netcost.agent.last.cycle.age").gauge().value()).isZero();

        clock.advance(Duration.ofHours(3).plusMillis(300).toMillis());
        assertThat(pipeline.liveness()).as("exactly at the limit").isNull();
        clock.advance(1_000);
        assertThat(pipeline.liveness()).contains("no collection cycle has completed for 10801 s");
        assertThat(meters.get("netcost.agent.last.cycle.age").gauge().value()).isEqualTo(10_801.3);

        pipeline.runOnce();
        assertThat(pipeline.liveness()).isNull();
        assertThat(meters.get("netcost.agent.last.cycle.age").gauge().value()).isZero();
    }

    @Test
    void cyclesRunByTheCaller_areWatchedFromTheFirst() {
        pipeline = builder().interval(Duration.ofHours(1)).exporter(exporter("e", out -> { })).build();
        pipeline.runOnce();
        clock.advance(Duration.ofHours(4).toMillis());
        assertThat(pipeline.liveness()).as("runOnce alone: on demand, nothing to watch").isNull();

        pipeline.runScheduled();
        assertThat(pipeline.liveness()).isNull();
        assertThat(meters.get("netcost.agent.last.cycle.age").gauge().value()).isZero();
        clock.advance(Duration.ofHours(4).toMillis());
        assertThat(pipeline.liveness()).contains("no collection cycle has completed for 14400 s");

    }

    @Test
    void runScheduled_containsAnErrorThrownInTheCycle() {
        int[] writes = {0};
        pipeline = builder().exporter(exporter("e", out -> { })).sink(new RecordingSink(null) {
            @Override
            public void write(List<Sample> samples) {
                writes[0]++;
                throw new AssertionError("an Error, not an Exception");
            }
        }).build();
        pipeline.runScheduled(); // would throw the AssertionError at the caller, whose schedule would end
        pipeline.runScheduled();
        assertThat(writes[0]).isEqualTo(2);
    }

    @Test
    void stallLimit_isAtLeastThirtySeconds() {
        pipeline = builder().interval(Duration.ofSeconds(1)).exporter(exporter("e", out -> { })).build();
        assertThat(pipeline.stallAfter()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void seriesWithALabelValueLongerThanTheCap_areDroppedAndCounted_neverSent() {
        pipeline = builder().maxLabelValueBytes(2048)
                .exporter(exporter("e", out -> {
                    out.accept(Labels.of("m", "pod", "a".repeat(2048)), 1);
                    out.accept(Labels.of("m", "pod", "b".repeat(2049)), 2);
                    out.accept(Labels.of("m", "pod", "\u20ac".repeat(683)), 3); // 2,049 bytes in 683 chars
                    out.accept(Labels.of("m", "pod", "\u20ac".repeat(682)), 4); // 2,046 bytes
                })).build();
        for (int cycle = 0; cycle < 2; cycle++) {
            pipeline.runOnce();
            assertThat(latest.latest()).filteredOn(s -> s.labels().metricName().equals("m"))
                    .extracting(Sample::value).containsExactly(1.0, 4.0);
            assertThat(written.get(cycle)).noneMatch(s -> s.value() == 2.0 || s.value() == 3.0);
        }
        assertThat(meters.get("netcost.agent.series.dropped").tag("reason", "label_value_too_long")
                .tag("exporter", "e").counter().count()).isEqualTo(4);
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
    private static class RecordingSink implements Sink {
        private final List<List<Sample>> into;

        RecordingSink(List<List<Sample>> into) {
            this.into = into;
        }

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
