package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netcost.core.auth.PemFiles;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.testing.ManualClock;
import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.TestCertificates;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook's HTTPS server with real TLS, real AdmissionReview documents and hostile input. */
class WebhookServerIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private TestCertificates certs;
    private Path certFile;
    private Path keyFile;
    private WebhookRuntime runtime;
    private HttpsTestClient client;
    private final AtomicInteger cycles = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        certs = TestCertificates.create(Files.createDirectories(tmp.resolve("a")));
        Path serving = Files.createDirectories(tmp.resolve("serving"));
        certFile = serving.resolve("tls.crt");
        keyFile = serving.resolve("tls.key");
        Files.copy(certs.serverCert(), certFile);
        Files.copy(certs.serverKey(), keyFile);
        TestWebhook tw = new TestWebhook("""
                kubernetes: {enabled: false}
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                  tlsReloadInterval: 100ms
                  maxBodyBytes: 1MiB
                  labels: {ingress: [team], service: [team]}
                """.formatted(certFile, keyFile));
        runtime = tw.runtime(null);
        runtime.start(cycles::incrementAndGet, Duration.ofHours(1));
        client = new HttpsTestClient(certs.caCert(), runtime.port());
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private HttpResponse<String> review(String fixture) {
        return client.post("/validate", Fixtures.bytes(fixture));
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    @Test
    void answersV1AndV1beta1Reviews_inTheVersionAsked_andRecordsThem() throws Exception {
        HttpResponse<String> create = review("ingress-2048-create-v1.json");
        assertThat(create.statusCode()).isEqualTo(200);
        assertThat(create.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(json(create).path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(json(create).path("response").path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(json(create).path("response").path("allowed").asBoolean()).isTrue();

        HttpResponse<String> svc = review("service-2048-create-v1beta1.json");
        assertThat(json(svc).path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(json(svc).path("response").path("uid").asText()).isEqualTo("b5a1e2d3-c4f5-4a6b-8c7d-9e0f1a2b3c4d");

        HttpResponse<String> update = review("ingress-2048-update-v1.json");
        assertThat(json(update).path("response").path("allowed").asBoolean()).isTrue();

        RecordedObjects objects = runtime.objects();
        ObjectKey game = new ObjectKey("game-2048", "ingress-2048");
        assertThat(objects.ingresses.get(game).loadBalancerName()).isEqualTo("shared-public-alb");
        assertThat(objects.ingresses.get(game).labels()).containsExactly("arcade");
        assertThat(objects.services.get(new ObjectKey("game-2048", "service-2048")).type()).isEqualTo("LoadBalancer");

        HttpResponse<String> dry = review("ingress-dryrun-v1.json");
        assertThat(json(dry).path("response").path("allowed").asBoolean()).isTrue();
        assertThat(objects.ingresses.get(new ObjectKey("game-2048", "dry-ingress"))).isNull();

        HttpResponse<String> delete = review("ingress-2048-delete-v1.json");
        assertThat(json(delete).path("response").path("uid").asText()).isEqualTo("c0ffee00-1111-2222-3333-444455556666");
        assertThat(objects.ingresses.get(game)).isNull();
    }

    @Test
    void healthz_failsWhileTheLeadersCyclesAreStuck_andRecoversOnceOneCompletes() throws Exception {
        ManualClock clock = new ManualClock();
        TestWebhook tw = new TestWebhook("""
                kubernetes: {enabled: false}
                exporterTimeout: 5s
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                """.formatted(certFile, keyFile), clock);
        WebhookRuntime stuck = tw.runtime(null);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger completed = new AtomicInteger();
        try {
            // Without an API there is no election: this replica leads, and its first cycle hangs.
            stuck.start(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                completed.incrementAndGet();
            }, Duration.ofMinutes(1));
            HttpsTestClient probe = new HttpsTestClient(certs.caCert(), stuck.port());
            assertThat(probe.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(stuck.liveness()).isNull();

            clock.advance(Duration.ofMinutes(3).plusSeconds(6)); // 3 intervals + exporterTimeout, and a second
            HttpResponse<String> down = probe.get("/healthz");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("no collection cycle has completed for 186 s");
            assertThat(stuck.liveness()).as("what the debug endpoint's /healthz says").isEqualTo(
                    down.body().substring(down.body().indexOf("no collection")));

            release.countDown();
            await().atMost(10, TimeUnit.SECONDS).until(() -> completed.get() == 1);
            await().atMost(10, TimeUnit.SECONDS).until(() -> probe.get("/healthz").statusCode() == 200);
        } finally {
            release.countDown();
            stuck.close();
        }
    }

    @Test
    void cyclesRunOnTime_whileAListFromAnApiServerThatNeverAnswersWaits() throws Exception {
        try (ServerSocket api = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        held.add(api.accept()); // read nothing, answer nothing
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "hanging-api");
            accept.setDaemon(true);
            accept.start();
            KubernetesClient hanging = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + api.getLocalPort()).withRequestTimeout(60_000)
                    .withRequestRetryBackoffLimit(0).build()).build();
            TestWebhook tw = new TestWebhook("""
                    webhook:
                      listen: 127.0.0.1:0
                      tlsCertFile: %s
                      tlsKeyFile: %s
                      leaderElection: {enabled: false}
                    """.formatted(certFile, keyFile));
            WebhookRuntime slow = tw.runtime(hanging);
            AtomicInteger ran = new AtomicInteger();
            try {
                slow.start(ran::incrementAndGet, Duration.ofMillis(200));
                await().atMost(10, TimeUnit.SECONDS).until(() -> !held.isEmpty()); // the first list is waiting
                await().atMost(5, TimeUnit.SECONDS).until(() -> ran.get() >= 3);
                assertThat(slow.liveness()).isNull();
            } finally {
                slow.close();
                hanging.close();
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    @Test
    void servesProbesAndMetrics_and404And405() {
        assertThat(client.get("/healthz").body()).isEqualTo("ok");
        assertThat(client.get("/readyz").statusCode()).isEqualTo(200);
        review("ingress-2048-create-v1.json");
        String metrics = client.get("/metrics").body();
        assertThat(metrics).contains("netcost_agent_webhook_admissions_total{kind=\"ingress\",operation=\"CREATE\","
                + "result=\"recorded\"} 1.0", "netcost_agent_webhook_objects{kind=\"ingress\"} 1.0",
                "netcost_agent_webhook_leader 1.0");

        HttpResponse<String> getValidate = client.get("/validate");
        assertThat(getValidate.statusCode()).isEqualTo(405);
        assertThat(getValidate.headers().firstValue("allow")).hasValue("POST");
        HttpResponse<String> postHealthz = client.post("/healthz", new byte[0]);
        assertThat(postHealthz.statusCode()).isEqualTo(405);
        assertThat(postHealthz.headers().firstValue("allow")).hasValue("GET, HEAD");
        assertThat(client.get("/mutate").headers().firstValue("allow")).isEmpty();
        assertThat(client.get("/mutate").statusCode()).isEqualTo(404);
        assertThat(client.post("/validate/extra", Fixtures.bytes("ingress-2048-create-v1.json")).statusCode())
                .isEqualTo(404);
        assertThat(client.post("/validate?timeout=10s", Fixtures.bytes("configmap-create-v1.json")).statusCode())
                .as("the API server adds ?timeout=").isEqualTo(200);
    }

    @Test
    void badInput_isRefusedWithoutHarm_andValidReviewsStillWork() throws Exception {
        assertThat(client.post("/validate", "{\"apiVersion\":".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(400);
        assertThat(client.post("/validate", "\u0000\u00ff garbage".getBytes(StandardCharsets.ISO_8859_1)).statusCode())
                .isEqualTo(400);
        String noUid = Fixtures.text("ingress-2048-create-v1.json")
                .replace("\"uid\": \"705ab4f5-6393-11e8-b7cc-42010a800002\",", "");
        assertThat(client.post("/validate", noUid.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        String wrongTypes = Fixtures.text("ingress-2048-create-v1.json").replace("\"rules\": [", "\"rules\": 5, \"x\": [");
        assertThat(json(client.post("/validate", wrongTypes.getBytes(StandardCharsets.UTF_8)))
                .path("response").path("allowed").asBoolean()).isTrue();
        String deep = "[".repeat(100_000);
        assertThat(client.post("/validate", deep.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        assertThat(review("configmap-create-v1.json").statusCode()).isEqualTo(200);

        byte[] tenMegabytes = new byte[10 * 1024 * 1024];
        Arrays.fill(tenMegabytes, (byte) ' ');
        assertThat(oversized(tenMegabytes)).isEqualTo(413);

        assertThat(json(review("ingress-2048-create-v1.json")).path("response").path("allowed").asBoolean()).isTrue();
        assertThat(runtime.objects().ingresses.size()).isEqualTo(1);
    }

    /** The status the server answers a body it refuses; it may close the connection while the body is sent. */
    private int oversized(byte[] body) throws Exception {
        try (SSLSocket s = socket(TlsContexts.client(certs.caCert(), null, null, false))) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // the server may stop reading once it has answered
                }
            });
            String status = readLine(s.getInputStream());
            upload.cancel(true);
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void aSlowClient_doesNotBlockOthers() throws Exception {
        try (SSLSocket slow = socket(TlsContexts.client(certs.caCert(), null, null, false))) {
            slow.getOutputStream().write(("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{\"api")
                    .getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            for (int i = 0; i < 5; i++) {
                assertThat(review("configmap-create-v1.json").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void speaksTls13_andTls12_only() throws Exception {
        SSLContext ctx = TlsContexts.client(certs.caCert(), null, null, false);
        try (SSLSocket s = socket(ctx)) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", runtime.port())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        assertThat(ServerTlsReloader.PROTOCOLS).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void certificateRotation_reachesNewHandshakes_withoutDroppingRequests() throws Exception {
        TestCertificates next = TestCertificates.create(Files.createDirectories(tmp.resolve("b")));
        Path bothCas = tmp.resolve("cas.pem");
        Files.writeString(bothCas, Files.readString(certs.caCert()) + Files.readString(next.caCert()));
        HttpsTestClient trustingBoth = new HttpsTestClient(bothCas, runtime.port());
        X509Certificate oldCert = PemFiles.readCertificates(certs.serverCert()).get(0);
        X509Certificate newCert = PemFiles.readCertificates(next.serverCert()).get(0);
        assertThat(peerCertificate()).isEqualTo(oldCert);

        AtomicBoolean rotating = new AtomicBoolean(true);
        List<Integer> statuses = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            while (rotating.get()) {
                statuses.add(trustingBoth.post("/validate", Fixtures.bytes("configmap-create-v1.json")).statusCode());
            }
        });
        // As a Secret volume does: new files moved into place, the key first and the certificate after.
        replace(next.serverKey(), keyFile);
        replace(next.serverCert(), certFile);

        PromQueryClient.await("new certificate on new handshakes", this::peerCertificate, newCert::equals,
                Duration.ofSeconds(10));
        rotating.set(false);
        load.get(20, TimeUnit.SECONDS);
        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(runtime.tls().certificate()).isEqualTo(newCert);
        assertThat(new HttpsTestClient(next.caCert(), runtime.port()).get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyThatDoesNotMatch_keepsThePreviousCertificate() throws Exception {
        TestCertificates other = TestCertificates.create(Files.createDirectories(tmp.resolve("c")));
        X509Certificate oldCert = PemFiles.readCertificates(certs.serverCert()).get(0);
        replace(other.serverCert(), certFile); // the key never follows
        assertThat(PromQueryClient.await("reload attempted", () -> {
            try {
                runtime.tls().reloadIfChanged();
                return false;
            } catch (Exception e) {
                return e.getMessage().contains("does not hold the private key");
            }
        }, ok -> ok, Duration.ofSeconds(5))).isTrue();
        assertThat(peerCertificate()).isEqualTo(oldCert);
        assertThat(client.get("/healthz").statusCode()).isEqualTo(200);
    }

    private static void replace(Path from, Path to) throws IOException {
        Path t = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(from, t, StandardCopyOption.REPLACE_EXISTING);
        Files.move(t, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private X509Certificate peerCertificate() {
        try (SSLSocket s = socket(TlsContexts.client(null, null, null, true))) {
            Certificate[] chain = s.getSession().getPeerCertificates();
            return (X509Certificate) chain[0];
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private SSLSocket socket(SSLContext ctx) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", runtime.port());
        s.setSoTimeout(20_000);
        s.startHandshake();
        return s;
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

}
