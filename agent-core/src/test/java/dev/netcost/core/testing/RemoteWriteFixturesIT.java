package dev.netcost.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.remotewrite.prompb.Remote.Label;
import dev.netcost.core.remotewrite.prompb.Remote.Sample;
import dev.netcost.core.remotewrite.prompb.Remote.TimeSeries;
import dev.netcost.core.remotewrite.prompb.Remote.WriteRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.xerial.snappy.Snappy;

/**
 * Proves the fixtures against the real servers with a hand-built remote-write request, independent
 * of netcost's own sender.
 */
class RemoteWriteFixturesIT {

    /** The NaN bit pattern Prometheus uses as a staleness marker (model/value.StaleNaN). */
    private static final double STALE_NAN = Double.longBitsToDouble(0x7ff0000000000002L);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static Stream<Named<Supplier<RemoteWriteReceiver>>> receivers() {
        return Stream.of(
                Named.of("prometheus", PrometheusProcess::start),
                Named.of("victoria-metrics", VictoriaMetricsProcess::start));
    }

    @ParameterizedTest
    @MethodSource("receivers")
    void writtenSeries_readsBackWithExactLabelsTimestampsAndValues(Supplier<RemoteWriteReceiver> starter)
            throws Exception {
        try (RemoteWriteReceiver receiver = starter.get()) {
            long t0 = Instant.now().minusSeconds(30).toEpochMilli();
            Map<String, String> labels = Map.of(
                    "__name__", "netcost_fixture_bytes_total",
                    "namespace", "kube-system",
                    "pod", "coredns-7db6d8ff4d-x2x9q",
                    "odd", "quote\" backslash\\ newline\n unicode ñ✓");
            // VictoriaMetrics stores a block's values as decimals with one shared exponent, so values of
            // very different magnitude in one series lose precision there (1e300 next to 1.5 reads 0).
            double[] values = {0, 1.5, -2.25, 1024, 123456.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            TimeSeries.Builder series = series(labels);
            for (int i = 0; i < values.length; i++) {
                series.addSamples(sample(t0 + i * 1000L, values[i]));
            }
            write(receiver, WriteRequest.newBuilder().addTimeseries(series).build());

            String selector = "netcost_fixture_bytes_total{pod=\"coredns-7db6d8ff4d-x2x9q\"}";
            Instant from = Instant.ofEpochMilli(t0);
            Instant to = Instant.ofEpochMilli(t0 + 10_000);
            List<QueriedSeries> raw = receiver.queries().awaitRawSamples(selector, from, to, r -> !r.isEmpty());

            assertThat(raw).containsExactly(new QueriedSeries(labels, List.of(
                    new QueriedSample(t0, 0),
                    new QueriedSample(t0 + 1000, 1.5),
                    new QueriedSample(t0 + 2000, -2.25),
                    new QueriedSample(t0 + 3000, 1024),
                    new QueriedSample(t0 + 4000, 123456.5),
                    new QueriedSample(t0 + 5000, Double.POSITIVE_INFINITY),
                    new QueriedSample(t0 + 6000, Double.NEGATIVE_INFINITY))));
            // from and to are inclusive.
            assertThat(receiver.queries().rawSamples(selector, Instant.ofEpochMilli(t0 + 1000),
                            Instant.ofEpochMilli(t0 + 2000)).get(0).samples())
                    .containsExactly(new QueriedSample(t0 + 1000, 1.5), new QueriedSample(t0 + 2000, -2.25));

            List<QueriedSeries> instant = receiver.queries().query(selector, Instant.ofEpochMilli(t0 + 2500));
            assertThat(instant).hasSize(1);
            assertThat(instant.get(0).labels()).isEqualTo(labels);
            assertThat(instant.get(0).value()).isEqualTo(-2.25);
            assertThat(instant.get(0).timestampMillis()).isEqualTo(t0 + 2500);

            assertThat(receiver.queries().query("sum(" + selector + ")", Instant.ofEpochMilli(t0 + 1000)))
                    .containsExactly(new QueriedSeries(Map.of(), List.of(new QueriedSample(t0 + 1000, 1.5))));
            assertThat(receiver.queries().query("scalar(" + selector + ") * 2", Instant.ofEpochMilli(t0 + 1000)))
                    .containsExactly(new QueriedSeries(Map.of(), List.of(new QueriedSample(t0 + 1000, 3.0))));

            assertThat(receiver.queries().series(selector, from, to)).containsExactly(labels);
            assertThat(receiver.queries().series("{__name__=\"no_such_metric\"}", from, to)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("receivers")
    void staleMarker_hidesSeriesFromInstantQueriesAfterIt(Supplier<RemoteWriteReceiver> starter) throws Exception {
        try (RemoteWriteReceiver receiver = starter.get()) {
            long t0 = Instant.now().minusSeconds(30).toEpochMilli();
            Map<String, String> ended = Map.of("__name__", "netcost_fixture_stale", "pod", "ended");
            Map<String, String> alive = Map.of("__name__", "netcost_fixture_stale", "pod", "alive");
            write(receiver, WriteRequest.newBuilder()
                    .addTimeseries(series(ended)
                            .addSamples(sample(t0, 1)).addSamples(sample(t0 + 1000, 2))
                            .addSamples(sample(t0 + 2000, STALE_NAN)))
                    .addTimeseries(series(alive)
                            .addSamples(sample(t0, 1)).addSamples(sample(t0 + 1000, 2)))
                    .build());

            PromQueryClient q = receiver.queries();
            List<QueriedSeries> before = q.awaitQuery(
                    "netcost_fixture_stale", Instant.ofEpochMilli(t0 + 1500), r -> r.size() == 2);
            assertThat(before).extracting(QueriedSeries::value).containsOnly(2.0);

            List<QueriedSeries> after = q.query("netcost_fixture_stale", Instant.ofEpochMilli(t0 + 3000));
            assertThat(after).as("the marked series is gone, the control series is still there")
                    .extracting(QueriedSeries::labels).containsExactly(alive);
            assertThat(after.get(0).value()).isEqualTo(2.0);

            // Prometheus leaves the marker out of range-selector results; VictoriaMetrics returns it as NaN.
            List<QueriedSample> expected = new ArrayList<>(
                    List.of(new QueriedSample(t0, 1), new QueriedSample(t0 + 1000, 2)));
            if (receiver instanceof VictoriaMetricsProcess) {
                expected.add(new QueriedSample(t0 + 2000, Double.NaN));
            }
            assertThat(q.rawSamples("netcost_fixture_stale{pod=\"ended\"}",
                            Instant.ofEpochMilli(t0), Instant.ofEpochMilli(t0 + 3000)))
                    .containsExactly(new QueriedSeries(ended, expected));

            // A sample after the marker brings the series back.
            write(receiver, WriteRequest.newBuilder()
                    .addTimeseries(series(ended).addSamples(sample(t0 + 4000, 3)))
                    .build());
            assertThat(q.awaitQuery("netcost_fixture_stale{pod=\"ended\"}", Instant.ofEpochMilli(t0 + 4500),
                            r -> !r.isEmpty()).get(0).value())
                    .isEqualTo(3.0);
        }
    }

    @ParameterizedTest
    @MethodSource("receivers")
    void plainNaN_isStoredByPrometheus_butDroppedByVictoriaMetrics(Supplier<RemoteWriteReceiver> starter)
            throws Exception {
        try (RemoteWriteReceiver receiver = starter.get()) {
            long t0 = Instant.now().minusSeconds(30).toEpochMilli();
            Map<String, String> labels = Map.of("__name__", "netcost_fixture_nan");
            write(receiver, WriteRequest.newBuilder()
                    .addTimeseries(series(labels)
                            .addSamples(sample(t0, 1)).addSamples(sample(t0 + 1000, Double.NaN))
                            .addSamples(sample(t0 + 2000, 3)))
                    .build());

            List<QueriedSeries> raw = receiver.queries().awaitRawSamples("netcost_fixture_nan",
                    Instant.ofEpochMilli(t0), Instant.ofEpochMilli(t0 + 2000), r -> !r.isEmpty());
            List<QueriedSample> expected = receiver instanceof VictoriaMetricsProcess
                    ? List.of(new QueriedSample(t0, 1), new QueriedSample(t0 + 2000, 3))
                    : List.of(new QueriedSample(t0, 1), new QueriedSample(t0 + 1000, Double.NaN),
                            new QueriedSample(t0 + 2000, 3));
            assertThat(raw).containsExactly(new QueriedSeries(labels, expected));
        }
    }

    @ParameterizedTest
    @MethodSource("receivers")
    void pointWrittenNow_isVisibleToAQueryAtNow(Supplier<RemoteWriteReceiver> starter) throws Exception {
        try (RemoteWriteReceiver receiver = starter.get()) {
            long now = Instant.now().toEpochMilli();
            write(receiver, WriteRequest.newBuilder()
                    .addTimeseries(series(Map.of("__name__", "netcost_fixture_fresh")).addSamples(sample(now, 42)))
                    .build());

            // VictoriaMetrics' default -search.latencyOffset=30s would hide this point.
            List<QueriedSeries> result = receiver.queries().awaitQuery(
                    "netcost_fixture_fresh", Instant.ofEpochMilli(now), r -> !r.isEmpty(), Duration.ofSeconds(5));
            assertThat(result.get(0).value()).isEqualTo(42.0);
            assertThat(receiver.startupTime()).isLessThan(ServerProcess.READY_TIMEOUT);
        }
    }

    @Test
    void close_stopsTheServer_andDeletesItsData() {
        PrometheusProcess prometheus = PrometheusProcess.start();
        VictoriaMetricsProcess vm = null;
        try {
            vm = VictoriaMetricsProcess.start();
            Path promDir = prometheus.tempDir();
            Path vmDir = vm.tempDir();
            assertThat(promDir).isDirectory();
            assertThat(vmDir).isDirectory();

            prometheus.close();
            vm.close();
            prometheus.close(); // idempotent

            assertThat(promDir).doesNotExist();
            assertThat(vmDir).doesNotExist();
            for (RemoteWriteReceiver closed : List.of(prometheus, vm)) {
                assertThatThrownBy(() -> HTTP.send(HttpRequest.newBuilder(closed.baseUrl()).build(),
                                HttpResponse.BodyHandlers.discarding()))
                        .isInstanceOf(ConnectException.class);
            }
        } finally {
            prometheus.close();
            if (vm != null) {
                vm.close();
            }
        }
    }

    @Test
    void failedStart_reportsTheServerLog() {
        assertThatThrownBy(() -> ServerProcess.start("prometheus", PrometheusProcess.BINARY,
                        (port, dir) -> List.of("--no-such-flag"), "/-/ready"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("no-such-flag");
    }

    @Test
    void portTakenBetweenPickAndBind_isRetriedWithAnotherPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, FreePorts.LOOPBACK)) {
            AtomicInteger attempts = new AtomicInteger();
            try (ServerProcess server = ServerProcess.start("prometheus", PrometheusProcess.BINARY, (port, dir) -> {
                int listen = attempts.incrementAndGet() == 1 ? taken.getLocalPort() : port;
                Path config = Files.writeString(dir.resolve("prometheus.yml"), "global: {}\n");
                return List.of("--config.file=" + config, "--web.listen-address=127.0.0.1:" + listen,
                        "--storage.tsdb.path=" + dir.resolve("data"));
            }, "/-/ready")) {
                assertThat(attempts).hasValue(2);
                assertThat(server.port()).isNotEqualTo(taken.getLocalPort());
            }
        }
    }

    private static TimeSeries.Builder series(Map<String, String> labels) {
        TimeSeries.Builder series = TimeSeries.newBuilder();
        // Remote write requires labels sorted by name.
        new TreeMap<>(labels).forEach((name, value) ->
                series.addLabels(Label.newBuilder().setName(name).setValue(value)));
        return series;
    }

    private static Sample sample(long timestampMillis, double value) {
        return Sample.newBuilder().setTimestamp(timestampMillis).setValue(value).build();
    }

    private static void write(RemoteWriteReceiver receiver, WriteRequest request)
            throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(receiver.remoteWriteUrl())
                        .header("Content-Encoding", "snappy")
                        .header("Content-Type", "application/x-protobuf")
                        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request.toByteArray())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("%s answered %s: %s\n%s", receiver.remoteWriteUrl(), response.statusCode(), response.body(),
                        receiver.logTail())
                .isBetween(200, 299);
    }
}
