package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.auth.PemFiles;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.prompb.Remote;
import dev.netcost.core.testing.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteWriteSinkTest {
    private static final Duration FLUSH = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

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

    private static RemoteWriteConfig config(URI url, RemoteWriteConfig.QueueConfig queue) {
        return new RemoteWriteConfig("test", url, null, null, RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(),
                Duration.ofSeconds(5), queue);
    }

    private static RemoteWriteConfig.QueueConfig queue(int shards, int maxSamples, long maxBytes) {
        return new RemoteWriteConfig.QueueConfig(100_000, shards, maxSamples, maxBytes, Duration.ofSeconds(5),
                Duration.ofMillis(10), Duration.ofMillis(160));
    }

    private RemoteWriteSink sink(RemoteWriteConfig cfg) throws Exception {
        RemoteWriteSink s = RemoteWriteSink.builder().config(cfg).meters(meters)
                .sleeper(d -> sleeps.add(d)).random(() -> 1.0).build();
        closeables.add(0, s);
        return s;
    }

    private static List<Sample> samples(int n, long ts) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Sample(Labels.of("test_metric", "zeta", "z", "pod", "p" + i, "alpha", "a"), i, ts));
        }
        return out;
    }

    private double dropped(String reason) {
        return meters.get("netcost.agent.remote.write.samples.dropped").tag("reason", reason).counter().count();
    }

    @Test
    void sendsSpecHeaders_sortedLabels_andExactValues() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteSink s = sink(config(r.url(), queue(1, 2000, 1 << 20)));
        s.write(List.of(new Sample(Labels.of("m", "b", "2", "a", "1"), -0.0, 1_700_000_000_123L),
                new Sample(Labels.of("m", "c", "3"), Double.POSITIVE_INFINITY, 1_700_000_000_124L),
                new Sample(Labels.of("m", "c", "4"), Sample.STALE_NAN, 1_700_000_000_125L)));

        assertThat(s.flush(FLUSH)).isTrue();
        FakeReceiver.Received got = r.received().get(0);
        assertThat(got.headers()).containsEntry("Content-Encoding", "snappy")
                .containsEntry("Content-Type", "application/x-protobuf")
                .containsEntry("X-Prometheus-Remote-Write-Version", "0.1.0");
        assertThat(got.headers().get("User-Agent")).startsWith("netcost/");
        List<Remote.TimeSeries> ts = got.request().getTimeseriesList();
        assertThat(ts).hasSize(3);
        assertThat(ts.get(0).getLabelsList()).extracting(Remote.Label::getName).containsExactly("__name__", "a", "b");
        assertThat(Double.doubleToRawLongBits(ts.get(0).getSamples(0).getValue()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(ts.get(0).getSamples(0).getTimestamp()).isEqualTo(1_700_000_000_123L);
        assertThat(ts.get(1).getSamples(0).getValue()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Double.doubleToRawLongBits(ts.get(2).getSamples(0).getValue())).isEqualTo(Sample.STALE_NAN_BITS);
    }

    @Test
    void userHeadersAreSent_butNeverReplaceProtocolHeaders() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteConfig cfg = new RemoteWriteConfig("test", r.url(), null, null, RemoteWriteConfig.TlsConfig.DEFAULT,
                Map.of("X-Scope-OrgID", "team-a", "Content-Type", "text/plain", "user-agent", "evil"),
                Duration.ofSeconds(5), queue(1, 100, 1 << 20));
        RemoteWriteSink s = sink(cfg);
        s.write(samples(1, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        Map<String, String> h = r.received().get(0).headers();
        assertThat(h).containsEntry("X-Scope-OrgID", "team-a").containsEntry("Content-Type", "application/x-protobuf");
        assertThat(h.get("User-Agent")).startsWith("netcost/");
    }

    @Test
    void retries5xxAnd429_withGrowingDelays_thenDelivers() throws Exception {
        FakeReceiver r = receiver();
        r.respond(FakeReceiver.Response.of(500), FakeReceiver.Response.of(502), FakeReceiver.Response.of(503),
                FakeReceiver.Response.of(504), FakeReceiver.Response.of(429));
        RemoteWriteSink s = sink(config(r.url(), queue(1, 100, 1 << 20)));
        s.write(samples(5, 1000));

        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(r.received()).hasSize(6);
        assertThat(r.received()).extracting(FakeReceiver.Received::request).allMatch(q -> q.equals(r.received().get(0).request()));
        // min 10ms doubling, capped at 160ms
        assertThat(sleeps).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(80), Duration.ofMillis(160));
        assertThat(meters.get("netcost.agent.remote.write.samples.retried").counter().count()).isEqualTo(25);
        assertThat(meters.get("netcost.agent.remote.write.samples.sent").counter().count()).isEqualTo(5);
    }

    @Test
    void backoffJitterStaysWithinHalfToFullDelay() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), () -> 0.0);
        assertThat(b.delay(0, null)).isEqualTo(Duration.ofMillis(50));
        assertThat(b.delay(3, null)).isEqualTo(Duration.ofMillis(400));
        assertThat(b.delay(40, null)).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void honoursRetryAfter_secondsAndHttpDate() throws Exception {
        FakeReceiver r = receiver();
        r.respond(new FakeReceiver.Response(429, Map.of("Retry-After", "3"), "slow down"),
                new FakeReceiver.Response(503, Map.of("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"), ""));
        RemoteWriteSink s = sink(config(r.url(), queue(1, 100, 1 << 20)));
        s.write(samples(2, 1000));

        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(r.received()).hasSize(3);
        // a date in the past means "now"
        assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ZERO);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 404, 409, 413})
    void neverRetries4xx_dropsAndCounts(int status) throws Exception {
        FakeReceiver r = receiver();
        r.respond(new FakeReceiver.Response(status, Map.of(), "x".repeat(5000)));
        RemoteWriteSink s = sink(config(r.url(), queue(1, 100, 1 << 20)));
        s.write(samples(7, 1000));

        assertThat(s.flush(FLUSH)).isFalse();
        assertThat(r.received()).hasSize(1);
        assertThat(sleeps).isEmpty();
        assertThat(dropped(RemoteWriteMetrics.REASON_REJECTED)).isEqualTo(7);
        assertThat(s.pending()).isZero();
    }

    @Test
    void keepsEverySeriesInTimestampOrder_acrossRetries_withFourShards() throws Exception {
        FakeReceiver r = receiver();
        Random rnd = new Random(42);
        List<FakeReceiver.Response> script = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            script.add(FakeReceiver.Response.of(rnd.nextInt(10) < 3 ? 503 : 204));
        }
        r.respond(script.toArray(new FakeReceiver.Response[0]));
        RemoteWriteSink s = sink(config(r.url(), queue(4, 7, 1 << 20)));
        int series = 12;
        int cycles = 25;
        for (int c = 0; c < cycles; c++) {
            s.write(samples(series, 1000L + c));
        }

        assertThat(s.flush(FLUSH)).isTrue();
        Map<String, List<Long>> bySeries = new HashMap<>();
        for (FakeReceiver.Received got : r.received()) {
            if (got.status() != 204) {
                continue;
            }
            for (Remote.TimeSeries t : got.request().getTimeseriesList()) {
                bySeries.computeIfAbsent(t.getLabelsList().toString(), k -> new ArrayList<>())
                        .add(t.getSamples(0).getTimestamp());
            }
        }
        assertThat(bySeries).hasSize(series);
        for (List<Long> timestamps : bySeries.values()) {
            assertThat(timestamps).hasSize(cycles).isSorted().doesNotHaveDuplicates();
        }
        assertThat(r.received()).anyMatch(g -> g.status() == 503);
    }

    @Test
    void deadEndpointNeverHoldsBackLiveOne() throws Exception {
        URI dead;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + ss.getLocalPort() + "/api/v1/write");
        }
        FakeReceiver live = receiver();
        RemoteWriteSink deadSink = RemoteWriteSink.builder().config(config(dead, queue(2, 100, 1 << 20)))
                .meters(meters).build();
        closeables.add(0, deadSink);
        RemoteWriteSink liveSink = sink(config(live.url(), queue(2, 100, 1 << 20)));
        for (int c = 0; c < 5; c++) {
            List<Sample> cycle = samples(50, 1000L + c);
            deadSink.write(cycle);
            liveSink.write(cycle);
        }

        assertThat(liveSink.flush(FLUSH)).isTrue();
        assertThat(live.received().stream().mapToInt(g -> g.request().getTimeseriesCount()).sum()).isEqualTo(250);
        assertThat(deadSink.pending()).isPositive();
        assertThat(deadSink.flush(Duration.ofMillis(200))).isFalse();
    }

    @Test
    void boundsBatchesBySampleCount() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteSink s = sink(config(r.url(), queue(1, 10, 1 << 20)));
        s.write(samples(35, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(r.received()).extracting(g -> g.request().getTimeseriesCount()).containsExactly(10, 10, 10, 5);
    }

    @Test
    void boundsBatchesByBytes() throws Exception {
        FakeReceiver r = receiver();
        RemoteWriteSink s = sink(config(r.url(), queue(1, 1000, 2048)));
        List<Sample> big = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            big.add(new Sample(Labels.of("m", "pod", "p" + i, "blob", "x".repeat(300)), i, 1000));
        }
        s.write(big);
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(r.received()).hasSizeGreaterThan(5).allMatch(g -> g.uncompressedBytes() <= 2048);
        assertThat(r.received().stream().mapToInt(g -> g.request().getTimeseriesCount()).sum()).isEqualTo(40);
    }

    @Test
    void fullQueueDropsNewSamples_andCountsThem() throws Exception {
        URI dead;
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + ss.getLocalPort() + "/api/v1/write");
        }
        RemoteWriteConfig.QueueConfig small = new RemoteWriteConfig.QueueConfig(10, 1, 5, 1 << 20,
                Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMillis(20));
        RemoteWriteSink s = sink(config(dead, small));
        s.write(samples(100, 1000));
        assertThat(dropped(RemoteWriteMetrics.REASON_QUEUE_FULL)).isGreaterThanOrEqualTo(85);
        assertThat(s.flush(Duration.ofMillis(100))).isFalse();
    }

    @Test
    void rereadsBearerTokenFile_whenItRotates() throws Exception {
        FakeReceiver r = receiver();
        Path token = tmp.resolve("token");
        Files.writeString(token, "first-token\n");
        RemoteWriteConfig cfg = new RemoteWriteConfig("test", r.url(), token, null, RemoteWriteConfig.TlsConfig.DEFAULT,
                Map.of(), Duration.ofSeconds(5), queue(1, 100, 1 << 20));
        RemoteWriteSink s = sink(cfg);
        s.write(samples(1, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        Files.writeString(token, "second-token-longer");
        s.write(samples(1, 2000));
        assertThat(s.flush(FLUSH)).isTrue();

        assertThat(r.received()).extracting(g -> g.headers().get("Authorization"))
                .containsExactly("Bearer first-token", "Bearer second-token-longer");
    }

    @Test
    void sendsBasicAuthFromPasswordFile() throws Exception {
        FakeReceiver r = receiver();
        Path pw = tmp.resolve("pw");
        Files.writeString(pw, "s3cret");
        RemoteWriteConfig cfg = new RemoteWriteConfig("test", r.url(), null,
                new RemoteWriteConfig.BasicAuth("netcost", pw), RemoteWriteConfig.TlsConfig.DEFAULT,
                Map.of(), Duration.ofSeconds(5), queue(1, 100, 1 << 20));
        RemoteWriteSink s = sink(cfg);
        s.write(samples(1, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(r.received().get(0).headers().get("Authorization"))
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("netcost:s3cret".getBytes()));
    }

    private SSLContext serverContext(TestCertificates c, boolean trustClients) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setKeyEntry("server", PemFiles.readPrivateKey(c.serverKey()), new char[0],
                PemFiles.readCertificates(c.serverCert()).toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TrustManagerFactory tmf = null;
        if (trustClients) {
            KeyStore ts = KeyStore.getInstance(KeyStore.getDefaultType());
            ts.load(null, null);
            ts.setCertificateEntry("ca", PemFiles.readCertificates(c.caCert()).get(0));
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return ctx;
    }

    private RemoteWriteSink tlsSink(URI url, RemoteWriteConfig.TlsConfig tls) throws Exception {
        return sink(new RemoteWriteConfig("tls", url, null, null, tls, Map.of(), Duration.ofSeconds(5),
                queue(1, 100, 1 << 20)));
    }

    @Test
    void tls_trustsConfiguredCa_andRejectsUnknownServer() throws Exception {
        TestCertificates c = TestCertificates.create(tmp);
        FakeReceiver r = FakeReceiver.https(serverContext(c, false), false);
        closeables.add(r);

        RemoteWriteSink trusted = tlsSink(r.url(), new RemoteWriteConfig.TlsConfig(c.caCert(), null, null, false));
        trusted.write(samples(3, 1000));
        assertThat(trusted.flush(FLUSH)).isTrue();
        assertThat(r.received()).hasSize(1);

        RemoteWriteSink untrusted = tlsSink(r.url(), RemoteWriteConfig.TlsConfig.DEFAULT);
        untrusted.write(samples(3, 1000));
        assertThat(untrusted.flush(Duration.ofMillis(500))).isFalse();
        assertThat(r.received()).hasSize(1);

        RemoteWriteSink skip = tlsSink(r.url(), new RemoteWriteConfig.TlsConfig(null, null, null, true));
        skip.write(samples(3, 1000));
        assertThat(skip.flush(FLUSH)).isTrue();
        assertThat(r.received()).hasSize(2);
    }

    @Test
    void tls_presentsClientCertificate_forMutualTls() throws Exception {
        TestCertificates c = TestCertificates.create(tmp);
        FakeReceiver r = FakeReceiver.https(serverContext(c, true), true);
        closeables.add(r);

        RemoteWriteSink withCert = tlsSink(r.url(),
                new RemoteWriteConfig.TlsConfig(c.caCert(), c.clientCert(), c.clientKey(), false));
        withCert.write(samples(2, 1000));
        assertThat(withCert.flush(FLUSH)).isTrue();

        RemoteWriteSink without = tlsSink(r.url(), new RemoteWriteConfig.TlsConfig(c.caCert(), null, null, false));
        without.write(samples(2, 1000));
        assertThat(without.flush(Duration.ofMillis(500))).isFalse();
        assertThat(r.received()).hasSize(1);
    }
}
