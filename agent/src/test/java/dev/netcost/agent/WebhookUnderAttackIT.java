package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.testing.FreePorts;
import dev.netcost.core.testing.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netcost webhook} from the shaded jar, started with the chart's JVM flags and its defaults for
 * every limit, serving real TLS on 127.0.0.1 while hostile local clients attack it (issue 17, points 4
 * and 5). Each test asserts what the chart's users depend on: the process stays up, its peak resident
 * memory stays within the container limit, a normal review is answered within the API server's
 * {@code timeoutSeconds} while the attack goes on, and the log stays readable.
 */
class WebhookUnderAttackIT {
    /**
     * The chart's webhook container: {@code netcost.jvmArgs} with heapPercent 60, and the webhook's
     * direct-memory cap (NetcostChartTest pins the chart to these). {@code -XX:MaxRAM=256m} makes the JVM
     * size itself as it does in the pod, where it sees the 256Mi limit as its memory: a 154 MiB heap that
     * starts small and grows.
     */
    static final List<String> CHART_JVM_FLAGS = List.of("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=60",
            "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-Xss512k", "-XX:MaxDirectMemorySize=32m");
    /** The chart's {@code webhook.resources.limits.memory}. */
    static final long MEMORY_LIMIT_KIB = 256 * 1024;
    /**
     * The chart registers the webhook with {@code timeoutSeconds: 1}: an answer later than that is a
     * missed admission. Unloaded, a review on a new TLS connection takes a few milliseconds here, so
     * asserting the 1 s SLO itself leaves a margin of two orders of magnitude for the attack and for the
     * other builds sharing this machine's two cores, and still fails when the webhook queues normal
     * reviews behind the attackers (seconds) or stops answering them.
     */
    static final Duration SLO = Duration.ofSeconds(1);

    private static final String NORMAL_REVIEW = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
              "uid":"3f1c9a52-7d4e-4b8a-9c61-5e2f0a7b8d13",
              "kind":{"group":"","version":"v1","kind":"Service"},
              "resource":{"group":"","version":"v1","resource":"services"},
              "name":"checkout","namespace":"shop","operation":"CREATE",
              "userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller"},
              "object":{"apiVersion":"v1","kind":"Service",
                "metadata":{"name":"checkout","namespace":"shop","resourceVersion":"7",
                  "annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"external"}},
                "spec":{"type":"LoadBalancer","ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]}},
              "dryRun":false}}
            """;

    @TempDir
    Path tmp;

    private Process webhook;
    private Path log;
    private int port;
    private SSLContext ssl;
    /** The API server's kept-alive connection to the webhook. */
    private SSLSocket apiServer;

    @BeforeEach
    void start() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("tls")));
        ssl = TlsContexts.client(certs.caCert(), null, null, false);
        port = FreePorts.loopbackPort();
        Path cfg = Files.writeString(tmp.resolve("webhook.yaml"), """
                nodeName: attacked
                kubernetes: {enabled: false}
                debug: {enabled: false}
                localFile: {path: %s}
                webhook:
                  listen: "127.0.0.1:%d"
                  tlsCertFile: %s
                  tlsKeyFile: %s
                """.formatted(tmp.resolve("samples.prom"), port, certs.serverCert(), certs.serverKey()));
        log = tmp.resolve("webhook.log");
        webhook = AgentJar.start(log, CHART_JVM_FLAGS, "webhook", "--config", cfg.toString());
        await("webhook ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> review().status() == 200);
        for (int i = 0; i < 30; i++) {
            // As the API server's traffic would, before any attack: compiled code, not the interpreter,
            // for handshakes as well as reviews.
            review();
            if (i % 2 == 0) {
                closeApiServer();
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        closeApiServer();
        webhook.destroy();
        if (!webhook.waitFor(10, TimeUnit.SECONDS)) {
            webhook.destroyForcibly();
        }
    }

    @Test
    void fiftySlowFourMegabyteUploads_neitherKillItNorPushItPastItsMemoryLimit_andNormalReviewsStayUnderOneSecond()
            throws Exception {
        List<Answer> normal;
        try (HostileClients attack = new HostileClients(ssl, port).slowUploads(50, 4_000_000)) {
            normal = probe(Duration.ofSeconds(30));
            assertThat(attack.cutOff).as("slow uploads cut off by the server").hasPositiveValue();
        }
        assertHealthy(normal);
    }

    @Test
    void slowPartialHeadersAndSilentConnections_areClosedAtTheHeaderDeadline_notKeptAliveByEachByte()
            throws Exception {
        List<Duration> silentHeldFor = Collections.synchronizedList(new ArrayList<>());
        List<Answer> normal;
        try (HostileClients attack = new HostileClients(ssl, port).slowHeaders(20).silentConnections(10, silentHeldFor)) {
            normal = probe(Duration.ofSeconds(20));
            // Each slow client sends a byte every 500 ms: an idle timer would never fire. The default
            // header deadline (5s) must end every one of them at least once in 20 s.
            assertThat(attack.cutOff).as("slow-header connections closed by the server").hasValueGreaterThanOrEqualTo(20);
        }
        assertThat(silentHeldFor).as("connections that never started TLS, closed by the server").isNotEmpty()
                .allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(8)));
        assertHealthy(normal);
    }

    @Test
    void droppedBodiesBadTlsAndMalformedRequests_areLoggedOncePerInterval_notOncePerRequest() throws Exception {
        long before = lines();
        List<Answer> normal;
        try (HostileClients attack = new HostileClients(ssl, port).droppedMidBody(6, 200_000, Duration.ofMillis(200))
                .badTls(3, Duration.ofMillis(200)).malformedRequests(3, Duration.ofMillis(200))) {
            normal = probe(Duration.ofSeconds(15));
            assertThat(attack.connections).as("hostile connections made").hasValueGreaterThan(100);
        }
        long logged = lines() - before;
        // Hundreds of failed requests, at most a line or two per kind of failure and minute.
        assertThat(logged).as("log lines written during the attack:%n%s", tail()).isLessThanOrEqualTo(8);
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain("\tat io.netty");
        String metrics = metrics();
        assertThat(counter(metrics, "netcost_agent_webhook_client_errors_total{reason=\"dropped_mid_body\"}"))
                .isGreaterThanOrEqualTo(50);
        assertThat(counter(metrics, "netcost_agent_webhook_client_errors_total{reason=\"tls\"}"))
                .isGreaterThanOrEqualTo(20);
        assertThat(counter(metrics, "netcost_agent_webhook_client_errors_total{reason=\"malformed_request\"}"))
                .isGreaterThanOrEqualTo(20);
        assertHealthy(normal);
    }

    @Test
    void fourClientsSendingLargeValidReviews_doNotPushNormalReviewsPastOneSecond() throws Exception {
        byte[] large = largeIngressUpdate(4_000_000);
        List<Answer> normal;
        int answered;
        try (HostileClients attack = new HostileClients(ssl, port).fastReviews(4, large)) {
            normal = probe(Duration.ofSeconds(30));
            answered = attack.ok.get();
        }
        assertThat(answered).as("large reviews answered 200").isGreaterThanOrEqualTo(8);
        assertHealthy(normal);
    }

    /** Alive, within the memory limit at its peak, every normal review answered 200 within the SLO. */
    private void assertHealthy(List<Answer> normal) throws IOException {
        assertThat(webhook.isAlive()).as("webhook process alive; log:%n%s", tail()).isTrue();
        long hwm = peakRssKiB(webhook.pid());
        System.out.printf("webhook peak RSS (VmHWM): %d MiB; normal reviews: %d, slowest %d ms%n", hwm / 1024,
                normal.size(), normal.stream().mapToLong(a -> a.took().toMillis()).max().orElse(-1));
        assertThat(hwm).as("peak RSS in KiB (chart limit 256Mi)").isLessThanOrEqualTo(MEMORY_LIMIT_KIB);
        assertThat(normal).as("normal reviews during the attack").hasSizeGreaterThan(10)
                .allSatisfy(a -> {
                    assertThat(a.status()).as("status").isEqualTo(200);
                    assertThat(a.took()).as("latency").isLessThan(SLO);
                });
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).doesNotContain("OutOfMemoryError");
    }

    /** A normal review every 250 ms for {@code d}. */
    private List<Answer> probe(Duration d) throws InterruptedException {
        List<Answer> answers = new ArrayList<>();
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            answers.add(review());
            Thread.sleep(250); // the probe's pace, not synchronisation
        }
        return answers;
    }

    record Answer(int status, Duration took) {
    }

    /**
     * One normal review as the API server sends it: on its kept-alive connection (Go's transport pools
     * them), reconnecting once when the server has closed it, the reconnection counted in the latency.
     * Status -1 when no answer came within 5 s.
     */
    private Answer review() {
        byte[] body = NORMAL_REVIEW.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /validate?timeout=1s HTTP/1.1\r\nHost: netcost-webhook\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long start = System.nanoTime();
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (apiServer == null || apiServer.isClosed()) {
                    apiServer = (SSLSocket) ssl.getSocketFactory().createSocket();
                    apiServer.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    apiServer.setSoTimeout(5000);
                }
                OutputStream out = apiServer.getOutputStream();
                out.write(head);
                out.write(body);
                out.flush();
                int status = HostileClients.readAnswer(apiServer.getInputStream());
                return new Answer(status, Duration.ofNanos(System.nanoTime() - start));
            } catch (java.net.SocketTimeoutException e) {
                break;
            } catch (IOException e) {
                closeApiServer(); // closed by the server meanwhile: a new connection, as Go's transport would
            }
        }
        closeApiServer();
        return new Answer(-1, Duration.ofNanos(System.nanoTime() - start));
    }

    private void closeApiServer() {
        try {
            if (apiServer != null) {
                apiServer.close();
            }
        } catch (IOException e) {
            // gone already
        }
        apiServer = null;
    }

    private String metrics() throws IOException {
        try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static double counter(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    private long lines() throws IOException {
        try (var l = Files.lines(log, StandardCharsets.UTF_8)) {
            return l.count();
        }
    }

    private String tail() throws IOException {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
    }

    /** VmHWM of {@code pid}: its peak resident set, in KiB. */
    static long peakRssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmHWM for " + pid);
    }

    /**
     * An Ingress UPDATE review of about {@code size} bytes, valid as the API server sends them: what makes
     * it large is what real objects grow — managedFields entries from many managers and the
     * {@code last-applied-configuration} annotation — on both the object and the old object, plus forty
     * rules that are recorded.
     */
    static byte[] largeIngressUpdate(int size) {
        StringBuilder rules = new StringBuilder();
        for (int r = 0; r < 40; r++) {
            rules.append(r == 0 ? "" : ",").append("{\"host\":\"h").append(r).append(".example.com\",\"http\":{\"paths\":[")
                    .append("{\"path\":\"/\",\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"svc-")
                    .append(r).append("\",\"port\":{\"number\":80}}}}]}}");
        }
        int perObject = size / 2;
        StringBuilder managed = new StringBuilder();
        StringBuilder applied = new StringBuilder();
        for (int m = 0; managed.length() < perObject / 2; m++) {
            managed.append(m == 0 ? "" : ",").append("{\"manager\":\"controller-").append(m)
                    .append("\",\"operation\":\"Update\",\"apiVersion\":\"networking.k8s.io/v1\",\"time\":\"2024-05-02T10:15:00Z\",")
                    .append("\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\"f:team-").append(m)
                    .append("\":{},\"f:tier\":{}},\"f:annotations\":{\".\":{},\"f:note-").append(m)
                    .append("\":{}}},\"f:spec\":{\"f:rules\":{},\"f:tls\":{}}}}");
        }
        while (applied.length() < perObject / 2) {
            applied.append("{\\\"apiVersion\\\":\\\"networking.k8s.io/v1\\\",\\\"kind\\\":\\\"Ingress\\\"} ");
        }
        String object = """
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"big","namespace":"shop",
                "resourceVersion":"%s","labels":{"team":"shop"},"annotations":{
                "alb.ingress.kubernetes.io/group.name":"shared-alb","alb.ingress.kubernetes.io/scheme":"internet-facing",
                "kubectl.kubernetes.io/last-applied-configuration":"%s"},"managedFields":[%s]},
                "spec":{"ingressClassName":"alb","rules":[%s]},
                "status":{"loadBalancer":{"ingress":[{"hostname":"k8s-sharedalb-0123456789.us-east-2.elb.amazonaws.com"}]}}}""";
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"0b7e4c1a-2f3d-4e5b-8a9c-1d2e3f4a5b6c",
                "kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},
                "resource":{"group":"networking.k8s.io","version":"v1","resource":"ingresses"},
                "name":"big","namespace":"shop","operation":"UPDATE","userInfo":{"username":"admin"},
                "object":%s,"oldObject":%s,"dryRun":false}}""".formatted(
                object.formatted("1002", applied, managed, rules), object.formatted("1001", applied, managed, rules));
        return review.getBytes(StandardCharsets.UTF_8);
    }
}
