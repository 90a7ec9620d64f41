package dev.netcost.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.remotewrite.RemoteWriteSink;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.RemoteWriteReceiver;
import dev.netcost.core.testing.VictoriaMetricsProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The whole path: exporter → pipeline → remote-write sink → real Prometheus / VictoriaMetrics → PromQL. */
class PipelineRemoteWriteIT {
    static Stream<Arguments> receivers() {
        return Stream.of(Arguments.of("prometheus", (Supplier<RemoteWriteReceiver>) PrometheusProcess::start),
                Arguments.of("victoria-metrics", (Supplier<RemoteWriteReceiver>) VictoriaMetricsProcess::start));
    }

    /** Emits one bytes series per pod in {@link #pods}. */
    private static final class PodBytesExporter implements Exporter {
        volatile Map<String, Double> pods = Map.of();

        @Override
        public String name() {
            return "test";
        }

        @Override
        public void collect(SampleConsumer out) {
            pods.forEach((pod, bytes) -> out.accept(Labels.of("netcost_pod_network_bytes_total",
                    "namespace", "shop", "pod", pod, "direction", "egress", "class", "cross_zone",
                    "workload", "we \"quote\" \\ and ünïcode", "empty", ""), bytes));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("receivers")
    void samplesArriveWithExactLabelsAndValues_andAStaleMarkerEndsASeries(String name,
            Supplier<RemoteWriteReceiver> start) throws Exception {
        try (RemoteWriteReceiver server = start.get()) {
            RemoteWriteConfig rw = new RemoteWriteConfig(name, server.remoteWriteUrl(), null, null,
                    RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(), Duration.ofSeconds(10),
                    RemoteWriteConfig.QueueConfig.DEFAULT);
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            RemoteWriteSink sink = RemoteWriteSink.builder().config(rw).meters(meters).build();
            PodBytesExporter exporter = new PodBytesExporter();
            try (Pipeline pipeline = Pipeline.builder().meters(meters).clock(Clock.systemUTC()).nodeName("node-a")
                    .externalLabels(Map.of("cluster", "prod-us-east-2", "job", "netcost"))
                    .exporter(exporter).sink(sink).build()) {
                Map<String, Double> pods = new LinkedHashMap<>();
                pods.put("checkout-1", 1.5e9);
                pods.put("cart-0", 12345.0);
                exporter.pods = pods;
                CycleResult first = pipeline.runOnce();
                assertThat(pipeline.flush(Duration.ofSeconds(30))).isTrue();

                Instant t1 = Instant.ofEpochMilli(first.timestampMs());
                List<QueriedSeries> got = server.queries().awaitRawSamples("netcost_pod_network_bytes_total",
                        t1.minusSeconds(60), t1.plusMillis(1), r -> r.size() == 2);
                Map<String, String> expected = new java.util.HashMap<>(Map.of("__name__", "netcost_pod_network_bytes_total",
                        "namespace", "shop", "direction", "egress", "class", "cross_zone",
                        "workload", "we \"quote\" \\ and ünïcode", "cluster", "prod-us-east-2", "job", "netcost"));
                for (QueriedSeries s : got) {
                    Map<String, String> labels = new java.util.HashMap<>(expected);
                    labels.put("pod", s.labels().get("pod"));
                    assertThat(s.labels()).isEqualTo(labels);
                    assertThat(s.samples()).hasSize(1);
                    assertThat(s.samples().get(0).timestampMillis()).isEqualTo(first.timestampMs());
                    assertThat(s.samples().get(0).value()).isEqualTo(pods.get(s.labels().get("pod")));
                }
                List<QueriedSeries> self = server.queries().awaitQuery(
                        "netcost_agent_exporter_success{exporter=\"test\",node=\"node-a\",cluster=\"prod-us-east-2\",job=\"netcost\"}", t1.plusMillis(1),
                        r -> r.size() == 1);
                assertThat(self.get(0).value()).isEqualTo(1.0);

                // cart-0 is deleted: the next cycle ends its series with a stale marker
                while (System.currentTimeMillis() <= first.timestampMs()) {
                    Thread.onSpinWait(); // the second cycle needs a later millisecond
                }
                exporter.pods = Map.of("checkout-1", 1.6e9);
                CycleResult second = pipeline.runOnce();
                assertThat(pipeline.flush(Duration.ofSeconds(30))).isTrue();
                Instant t2 = Instant.ofEpochMilli(second.timestampMs());

                List<QueriedSeries> after = server.queries().awaitQuery("netcost_pod_network_bytes_total",
                        t2.plusMillis(1), r -> r.size() == 1, Duration.ofSeconds(20));
                assertThat(after.get(0).labels()).containsEntry("pod", "checkout-1");
                assertThat(after.get(0).value()).isEqualTo(1.6e9);
                List<QueriedSeries> before = server.queries().query("netcost_pod_network_bytes_total{pod=\"cart-0\"}",
                        t1.plusMillis(1));
                assertThat(before).hasSize(1);
                assertThat(before.get(0).value()).isEqualTo(12345.0);
            }
        }
    }
}
