package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.testing.SigV4Verifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * SigV4-signed remote write checked by an independent implementation: botocore recomputes every
 * signature in front of the receiver and answers 403 on any mismatch, as Amazon Managed Prometheus does.
 */
class SigV4RemoteWriteTest {
    private static final SigV4Config AMP = new SigV4Config("us-east-2", "aps", null);
    private static final Duration FLUSH = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeReceiver upstream;
    private SigV4Verifier verifier;

    @BeforeEach
    void start() throws Exception {
        upstream = FakeReceiver.http();
        closeables.add(upstream);
        verifier = SigV4Verifier.start(tmp, upstream.url(), "us-east-2", "aps");
        closeables.add(0, verifier);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private RemoteWriteConfig config(Map<String, String> headers) {
        return new RemoteWriteConfig("amp", verifier.url(), null, null, RemoteWriteConfig.TlsConfig.DEFAULT, headers,
                Duration.ofSeconds(10), new RemoteWriteConfig.QueueConfig(10_000, 1, 100, 1 << 20,
                Duration.ofMillis(50), Duration.ofMillis(10), Duration.ofMillis(100)), AMP);
    }

    private RemoteWriteSink sink(AwsCredentialsProvider credentials, Map<String, String> headers) throws Exception {
        SigV4RequestSigner signer = SigV4RequestSigner.builder().config(AMP).credentials(credentials).build();
        RemoteWriteSink s = RemoteWriteSink.builder().config(config(headers)).meters(meters)
                .signer(signer).sleeper(sleeps::add).build();
        closeables.add(0, s);
        return s;
    }

    private static List<Sample> samples(int n, long ts) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Sample(Labels.of("sigv4_test", "pod", "p" + i, "namespace", "game-2048"), i, ts));
        }
        return out;
    }

    private int samplesUpstream() {
        return upstream.received().stream().filter(g -> g.status() == 204)
                .mapToInt(g -> g.request().getTimeseriesCount()).sum();
    }

    @Test
    void everyRequestVerifies_withSessionCredentials_acrossRetriesAndARotation() throws Exception {
        AwsSessionCredentials first = AwsSessionCredentials.create("ASIAFIRST0000000001", "first/secret+key",
                "first-session-token");
        AwsSessionCredentials second = AwsSessionCredentials.create("ASIASECOND000000002", "second-secret",
                "second-session-token");
        verifier.allow(first.accessKeyId(), first.secretAccessKey(), first.sessionToken());
        verifier.allow(second.accessKeyId(), second.secretAccessKey(), second.sessionToken());
        AtomicReference<AwsCredentials> current = new AtomicReference<>(first);
        upstream.respond(FakeReceiver.Response.of(503), FakeReceiver.Response.of(429));
        RemoteWriteSink s = sink(current::get, Map.of("X-Scope-OrgID", "team-a"));

        s.write(samples(30, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        current.set(second);
        s.write(samples(30, 2000));
        assertThat(s.flush(FLUSH)).isTrue();

        List<SigV4Verifier.Verdict> verdicts = verifier.verdicts();
        assertThat(verdicts).hasSize(4).allSatisfy(v -> assertThat(v.ok()).as(v.reason()).isTrue());
        assertThat(verdicts).extracting(SigV4Verifier.Verdict::accessKeyId).containsExactly(
                first.accessKeyId(), first.accessKeyId(), first.accessKeyId(), second.accessKeyId());
        assertThat(verdicts).extracting(SigV4Verifier.Verdict::status).containsExactly(503, 429, 204, 204);
        assertThat(sleeps).hasSize(2);
        assertThat(samplesUpstream()).isEqualTo(60);
        assertThat(upstream.received().get(0).headers()).doesNotContainKey("Authorization");
    }

    @Test
    void longTermKeysWithoutSessionToken_verifyToo() throws Exception {
        verifier.allow("AKIALONGTERM0000001", "long-term-secret", null);
        RemoteWriteSink s = sink(() -> AwsBasicCredentials.create("AKIALONGTERM0000001", "long-term-secret"), Map.of());
        s.write(samples(5, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(verifier.verdicts()).singleElement().satisfies(v -> assertThat(v.ok()).as(v.reason()).isTrue());
    }

    @Test
    void wrongSecret_isRefused403_notRetried_andTheResultNamesTheIdentityUsed() throws Exception {
        verifier.allow("ASIAWRONGSECRET0001", "the-real-secret", "tok");
        AwsCredentialsProvider wrong = () -> AwsSessionCredentials.create("ASIAWRONGSECRET0001", "not-the-secret", "tok");
        try (SigV4RequestSigner signer = SigV4RequestSigner.builder().config(AMP).credentials(wrong).build()) {
            RemoteWriteClient client = new RemoteWriteClient(config(Map.of()), Clock.systemUTC(), signer);
            byte[] body = "not even protobuf".getBytes(StandardCharsets.UTF_8);
            try {
                SendResult r = client.send(body, body.length);
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.retryable()).isFalse();
                assertThat(r.detail()).contains("signature we calculated does not match")
                        .contains("access key ASIAWRON...").contains("region us-east-2, service aps")
                        .doesNotContain("not-the-secret").doesNotContain("ASIAWRONGSECRET0001");
            } finally {
                client.close();
            }
        }
        assertThat(verifier.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.ok()).isFalse();
            assertThat(v.reason()).startsWith("signature mismatch");
        });
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void thePayloadHashIsSigned_soTheVerifierCatchesAnyOtherBody() throws Exception {
        verifier.allow("AKIABODYCHECK000001", "secret", null);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-protobuf");
        byte[] signedBody = "the body that was signed".getBytes(StandardCharsets.UTF_8);
        Map<String, String> auth;
        try (SigV4RequestSigner signer = SigV4RequestSigner.builder().config(AMP)
                .credentials(() -> AwsBasicCredentials.create("AKIABODYCHECK000001", "secret")).build()) {
            auth = signer.sign("POST", verifier.url(), headers, signedBody, 0, signedBody.length);
        }
        assertThat(auth.get("Authorization")).contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,");
        assertThat(auth.get("x-amz-content-sha256")).isEqualTo(sha256Hex(signedBody));

        String other = "the body that was SIGNED";
        send(headers, auth, "the body that was signed");
        send(headers, auth, other);
        Map<String, String> forged = new LinkedHashMap<>(auth);
        forged.put("x-amz-content-sha256", sha256Hex(other.getBytes(StandardCharsets.UTF_8)));
        send(headers, forged, other);

        List<SigV4Verifier.Verdict> v = verifier.verdicts();
        assertThat(v).extracting(SigV4Verifier.Verdict::ok).containsExactly(true, false, false);
        assertThat(v.get(1).reason()).contains("not the hash of the body");
        assertThat(v.get(2).reason()).startsWith("signature mismatch");
    }

    private void send(Map<String, String> headers, Map<String, String> auth, String body) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(verifier.url()).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(req::header);
        auth.forEach(req::header);
        http.send(req.build(), HttpResponse.BodyHandlers.discarding());
    }

    private static String sha256Hex(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void noCredentials_isARetryableFailure_andDeliversOnceTheyAppear() throws Exception {
        verifier.allow("ASIALATE00000000001", "late-secret", "late-token");
        AtomicInteger calls = new AtomicInteger();
        AwsCredentialsProvider flaky = () -> {
            if (calls.incrementAndGet() <= 3) {
                throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
            }
            return AwsSessionCredentials.create("ASIALATE00000000001", "late-secret", "late-token");
        };
        RemoteWriteSink s = sink(flaky, Map.of());
        s.write(samples(8, 1000));
        assertThat(s.flush(FLUSH)).isTrue();
        assertThat(sleeps).hasSize(3);
        assertThat(meters.get("netcost.agent.remote.write.request.duration").tag("status", "0").timer().count())
                .isEqualTo(3);
        assertThat(verifier.verdicts()).singleElement().satisfies(v -> assertThat(v.ok()).isTrue());
        assertThat(samplesUpstream()).isEqualTo(8);
    }
}
