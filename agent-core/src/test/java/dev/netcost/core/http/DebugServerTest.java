package dev.netcost.core.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.HostPort;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DebugServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<String> renderedOn = new AtomicReference<>();
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    private DebugServer server;

    @BeforeEach
    void startServer() throws IOException {
        List<Sample> samples = List.of(new Sample(Labels.of("netcost_service_info", "namespace", "shop",
                "service", "web"), 1, 1_700_000_000_000L));
        DebugPages pages = new DebugPages(() -> {
            renderedOn.set(Thread.currentThread().getName());
            return samples;
        }, () -> true, () -> "interval: 15s\n", registry, true);
        server = new DebugServer(pages);
        server.start(new HostPort("127.0.0.1", 0));
    }

    @AfterEach
    void stopServer() {
        server.close();
        registry.close();
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(TIMEOUT)
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bindsAnEphemeralPort_whenAskedForPortZero() {
        assertThat(server.port()).isPositive();
    }

    @Test
    void answers200OnHealthz() throws Exception {
        HttpResponse<String> r = send("GET", "/healthz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    }

    @Test
    void servesDebugSeries_renderedOffTheEventLoop() throws Exception {
        HttpResponse<String> r = send("GET", "/debug/series");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).startsWith("netcost_service_info{");
        assertThat(renderedOn.get()).startsWith("netcost-debug-pages");
    }

    @Test
    void ignoresQueryStrings() throws Exception {
        HttpResponse<String> r = send("GET", "/healthz?verbose=1&x=%20");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void answers404OnUnknownPath() throws Exception {
        HttpResponse<String> r = send("GET", "/no/such/page");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("/no/such/page");
    }

    @Test
    void answers405OnPost_withAllowHeader() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x=1"))
                .timeout(TIMEOUT)
                .build();

        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void answers405OnDelete_withAllowHeader() throws Exception {
        HttpResponse<String> r = send("DELETE", "/metrics");

        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void answersHead_withTheLengthOfGet_butNoBody() throws Exception {
        HttpResponse<String> get = send("GET", "/debug/config");

        HttpResponse<String> head = send("HEAD", "/debug/config");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("content-length"))
                .hasValue(get.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void answersHead_withNoBodyBytesOnTheWire_andKeepsTheConnection() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            out.write(request("HEAD", "/healthz", ""));
            RawResponse head = RawResponse.read(in, true);
            out.write(request("GET", "/healthz", ""));
            RawResponse get = RawResponse.read(in, false);

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.headers()).containsEntry("content-length", "2");
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("ok");
        }
    }

    @Test
    void answers400OnMalformedRequest_andClosesTheConnection() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write("this is not http\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            RawResponse r = RawResponse.read(socket.getInputStream(), false);

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void keepsTheConnectionAlive_forTwoRequestsOnOneSocket() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            out.write(request("GET", "/healthz", ""));
            RawResponse first = RawResponse.read(in, false);
            out.write(request("GET", "/readyz", ""));
            RawResponse second = RawResponse.read(in, false);

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("ok");
            assertThat(first.headers()).doesNotContainEntry("connection", "close");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("ready");
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 10; i++) {
                all.write(request("GET", i % 2 == 0 ? "/metrics" : "/healthz", ""));
                all.write(request("POST", "/readyz", ""));
            }

            out.write(all.toByteArray());

            for (int i = 0; i < 10; i++) {
                RawResponse page = RawResponse.read(in, false);
                RawResponse rejected = RawResponse.read(in, false);
                assertThat(page.status()).isEqualTo(200);
                assertThat(page.headers().get("content-type")).contains(i % 2 == 0 ? "version=0.0.4" : "charset");
                assertThat(rejected.status()).isEqualTo(405);
            }
        }
    }

    @Test
    void closesTheConnection_whenTheClientAsksTo() throws Exception {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(request("GET", "/healthz", "Connection: close\r\n"));

            RawResponse r = RawResponse.read(socket.getInputStream(), false);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).containsEntry("connection", "close");
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void keepsHttp10ConnectionsAlive_onlyWhenAsked() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();

            out.write("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawResponse kept = RawResponse.read(in, false);
            out.write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawResponse closed = RawResponse.read(in, false);

            assertThat(kept.headers()).containsEntry("connection", "keep-alive");
            assertThat(closed.status()).isEqualTo(200);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void answers413OnOversizedBody() throws Exception {
        String body = "x".repeat(DebugServerInitializer.MAX_REQUEST_BYTES + 1);
        HttpRequest request = HttpRequest.newBuilder(uri("/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(TIMEOUT)
                .build();

        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void refusesToStart_onAPortInUse_namingTheAddress() {
        HostPort taken = new HostPort("127.0.0.1", server.port());
        DebugServer second = new DebugServer(new DebugPages(List::of, () -> true, () -> "", registry, true));

        assertThatThrownBy(() -> second.start(taken))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("127.0.0.1:" + server.port())
                .hasMessageContaining("debug.listen");
        second.close();
    }

    @Test
    void closeStopsServingPromptly() throws Exception {
        int port = server.port();
        long start = System.nanoTime();

        server.close();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        server.close(); // idempotent
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    private static byte[] request(String method, String path, String extraHeaders) {
        return (method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "Content-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Just enough of an HTTP/1.x response reader to see what is on the wire. */
    private record RawResponse(int status, Map<String, String> headers, String body) {
        static RawResponse read(InputStream in, boolean headRequest) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
            int length = headRequest ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                throw new IOException("connection closed after " + body.length + " of " + length + " body bytes");
            }
            return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-line: '" + sb + "'");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }
}
