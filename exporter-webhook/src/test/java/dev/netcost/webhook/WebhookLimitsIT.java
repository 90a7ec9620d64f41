package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook server's deadlines and limits, with short settings, over real TLS on 127.0.0.1. */
class WebhookLimitsIT {
    @TempDir
    Path tmp;

    private WebhookRuntime runtime;
    private TestWebhook webhook;
    private SSLContext ssl;
    private final List<SSLSocket> sockets = new ArrayList<>();

    private void start(String limits) throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("tls")));
        ssl = TlsContexts.client(certs.caCert(), null, null, false);
        webhook = new TestWebhook("""
                kubernetes: {enabled: false}
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                %s""".formatted(certs.serverCert(), certs.serverKey(), limits.indent(2)));
        runtime = webhook.runtime(null);
        runtime.start(() -> { }, Duration.ofHours(1));
    }

    @AfterEach
    void stop() throws IOException {
        for (SSLSocket s : sockets) {
            s.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void aHeadSentByteByByte_isClosedAtTheHeaderDeadline() throws Exception {
        start("headerTimeout: 1s");
        SSLSocket s = connect();
        long start = System.nanoTime();
        byte[] head = "POST /validate HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
        assertThat(trickleUntilClosed(s, head, Duration.ofMillis(100))).as("closed by the server").isTrue();
        Duration held = Duration.ofNanos(System.nanoTime() - start);
        assertThat(held).isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
        await().untilAsserted(() -> assertThat(counter("netcost_agent_webhook_client_errors_total{reason=\"header_timeout\"}"))
                .isEqualTo(1.0));
    }

    @Test
    void aConnectionThatNeverStartsTls_isClosedAtTheHeaderDeadline() throws Exception {
        start("headerTimeout: 1s");
        try (java.net.Socket plain = new java.net.Socket("127.0.0.1", runtime.port())) {
            plain.setSoTimeout(5000);
            long start = System.nanoTime();
            assertThat(plain.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
        }
    }

    @Test
    void aBodyTrickledByteByByte_isClosedAtTheBodyDeadline_andItsBytesAreGivenBack() throws Exception {
        start("bodyTimeout: 1s");
        SSLSocket s = connect();
        s.getOutputStream().write(head(1000));
        long start = System.nanoTime();
        assertThat(trickleUntilClosed(s, " ".repeat(999).getBytes(StandardCharsets.US_ASCII), Duration.ofMillis(100)))
                .isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(8));
        await().untilAsserted(() -> {
            assertThat(counter("netcost_agent_webhook_client_errors_total{reason=\"body_timeout\"}")).isEqualTo(1.0);
            assertThat(counter("netcost_agent_webhook_inflight_body_bytes")).isZero();
        });
    }

    @Test
    void aKeepAliveConnection_servesRequestsInTurn_andIsClosedOnceIdleForIdleTimeout() throws Exception {
        start("idleTimeout: 1s");
        SSLSocket s = connect();
        for (int i = 0; i < 3; i++) {
            s.getOutputStream().write(review("configmap-create-v1.json"));
            assertThat(status(s.getInputStream())).isEqualTo(200);
            Thread.sleep(300); // well within the idle timeout: the connection must stay usable
        }
        long idleSince = System.nanoTime();
        s.setSoTimeout(5000);
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - idleSince)).isBetween(Duration.ofMillis(600), Duration.ofSeconds(8));
    }

    @Test
    void beyondMaxConnections_theConnectionWaitingLongestIsClosed_andTheNewOneIsServed() throws Exception {
        start("maxConnections: 3");
        List<SSLSocket> idle = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            idle.add(connect());
            Thread.sleep(50); // distinct ages
        }
        SSLSocket next = connect();
        next.getOutputStream().write(review("configmap-create-v1.json"));
        assertThat(status(next.getInputStream())).isEqualTo(200);
        assertThat(closedByServer(idle.get(0))).as("the oldest idle connection").isTrue();
        assertThat(closedByServer(idle.get(2))).as("a younger one").isFalse();
        assertThat(counter("netcost_agent_webhook_connections_shed_total{limit=\"connections\"}")).isEqualTo(1.0);
    }

    @Test
    void aLargeBodyOverTheBudget_isAnswered503_whileAnOrdinaryReviewClosesTheSlowestUploadToGetIn() throws Exception {
        start("""
                maxBodyBytes: 1MiB
                maxInFlightBodyBytes: 1MiB
                bodyTimeout: 1m""");
        SSLSocket slow = connect();
        slow.getOutputStream().write(head(1024 * 1024 - 512)); // leaves less room than a review needs
        slow.getOutputStream().write(new byte[1000]);
        slow.getOutputStream().flush();
        await().untilAsserted(() -> assertThat(counter("netcost_agent_webhook_inflight_body_bytes")).isEqualTo(1024 * 1024 - 512.0));

        SSLSocket large = connect();
        large.getOutputStream().write(head(300 * 1024));
        assertThat(status(large.getInputStream())).isEqualTo(503);

        SSLSocket ordinary = connect();
        ordinary.getOutputStream().write(review("ingress-2048-create-v1.json"));
        assertThat(status(ordinary.getInputStream())).isEqualTo(200);
        assertThat(closedByServer(slow)).isTrue();
        assertThat(runtime.objects().ingresses.size()).isEqualTo(1);
        await().untilAsserted(() -> assertThat(counter("netcost_agent_webhook_inflight_body_bytes")).isZero());
    }

    @Test
    void expectContinue_andAChunkedBody_areServed() throws Exception {
        start("maxBodyBytes: 1MiB");
        SSLSocket s = connect();
        OutputStream out = s.getOutputStream();
        out.write(("POST /validate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(status(s.getInputStream())).isEqualTo(100);
        byte[] body = Fixtures.bytes("ingress-2048-create-v1.json");
        for (int off = 0; off < body.length; off += 100) {
            int n = Math.min(100, body.length - off);
            out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, off, n);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(status(s.getInputStream())).isEqualTo(200);
        assertThat(runtime.objects().ingresses.size()).isEqualTo(1);
    }

    @Test
    void aConnectionDroppedMidBody_isCountedAsTheClientsError() throws Exception {
        start("");
        for (int i = 0; i < 3; i++) {
            SSLSocket s = connect();
            s.getOutputStream().write(head(10_000));
            s.getOutputStream().write(new byte[5000]);
            s.getOutputStream().flush();
            s.close();
        }
        await().untilAsserted(() -> assertThat(counter("netcost_agent_webhook_client_errors_total{reason=\"dropped_mid_body\"}"))
                .isEqualTo(3.0));
        SSLSocket s = connect();
        s.getOutputStream().write(review("configmap-create-v1.json"));
        assertThat(status(s.getInputStream())).isEqualTo(200);
    }

    private SSLSocket connect() throws IOException {
        SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", runtime.port());
        sockets.add(s);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static byte[] head(int length) {
        return ("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] review(String fixture) {
        byte[] body = Fixtures.bytes(fixture);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** Sends {@code bytes} one at a time every {@code every} (then waits); true once the server has closed. */
    private static boolean trickleUntilClosed(SSLSocket s, byte[] bytes, Duration every) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int i = 0;
        while (System.nanoTime() < end) {
            try {
                if (i < bytes.length) {
                    s.getOutputStream().write(bytes[i++]);
                    s.getOutputStream().flush();
                }
                if (closedByServer(s, every)) {
                    return true;
                }
            } catch (SocketException | SSLException e) {
                return true;
            }
        }
        return false;
    }

    private static boolean closedByServer(SSLSocket s) throws IOException {
        return closedByServer(s, Duration.ofSeconds(2));
    }

    /** Whether the server closes {@code s} within {@code wait} (reading whatever it still sends). */
    private static boolean closedByServer(SSLSocket s, Duration wait) throws IOException {
        s.setSoTimeout((int) wait.toMillis());
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an answer before the close, e.g. to a refused body
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException | SSLException e) {
            return true;
        } finally {
            s.setSoTimeout(10_000);
        }
    }

    /** The status of the next answer (reads its head and body). */
    private static int status(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                break;
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }

    private double counter(String series) {
        for (String line : webhook.meters.scrape().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }
}
