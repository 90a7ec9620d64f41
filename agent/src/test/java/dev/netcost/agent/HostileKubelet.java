package dev.netcost.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A kubelet endpoint on 127.0.0.1 that turns hostile on demand: the ways a broken or malicious peer
 * answers {@code /metrics/cadvisor}. Every body is streamed, so the test JVM holds none of them whole.
 */
final class HostileKubelet implements AutoCloseable {
    enum Mode {
        /** A small valid payload: two pods. */
        NORMAL,
        /** 2 MiB of gzip that inflates to 2 GiB (128 members of 16 MiB of zeros), sent although not asked for. */
        GZIP_BOMB,
        /** A text body that never ends. */
        ENDLESS,
        /** A kept family's line of about 100 MB, then a normal payload. */
        LONG_LINE,
        /** 100,000 pods, two network families each: a 21 MB payload under the default maxBytes. */
        HUNDRED_THOUSAND_PODS,
        /** An HTML page with status 200, as a login proxy answers. */
        HTML
    }

    static final String NORMAL_PAYLOAD = """
            # HELP container_network_receive_bytes_total Cumulative count of bytes received
            # TYPE container_network_receive_bytes_total counter
            container_network_receive_bytes_total{container="",id="/",interface="eth0",name="",namespace="",pod=""} 9e+09
            container_network_receive_bytes_total{container="",interface="eth0",namespace="shop",pod="normal-0"} 1234
            container_network_receive_bytes_total{container="POD",interface="eth0",namespace="shop",pod="normal-1"} 5678
            """;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final byte[] bombMember;
    private volatile Mode mode = Mode.NORMAL;
    private volatile boolean closed;

    HostileKubelet() throws IOException {
        bombMember = gzip(new byte[16 << 20]);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(executor);
        server.createContext("/metrics/cadvisor", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics/cadvisor");
    }

    void mode(Mode mode) {
        this.mode = mode;
        requests.set(0);
    }

    /** Requests since the mode was last set. */
    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        Mode m = mode;
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", m == Mode.HTML ? "text/html; charset=utf-8"
                    : "text/plain; version=0.0.4; charset=utf-8");
            switch (m) {
                case NORMAL -> {
                    byte[] body = NORMAL_PAYLOAD.getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                }
                case HTML -> {
                    byte[] body = "<html><body><form>Sign in</form></body></html>\n".getBytes(StandardCharsets.UTF_8);
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                }
                case GZIP_BOMB -> {
                    ex.getResponseHeaders().set("Content-Encoding", "gzip");
                    ex.sendResponseHeaders(200, (long) bombMember.length * 128);
                    OutputStream out = ex.getResponseBody();
                    for (int i = 0; i < 128 && !closed; i++) {
                        out.write(bombMember);
                    }
                }
                case ENDLESS -> {
                    ex.sendResponseHeaders(200, 0); // chunked, no end
                    byte[] line = "container_cpu_usage_seconds_total{container=\"app\",pod=\"p\"} 1\n".repeat(1000)
                            .getBytes(StandardCharsets.UTF_8);
                    OutputStream out = ex.getResponseBody();
                    while (!closed) {
                        out.write(line); // ends when the agent hangs up
                    }
                }
                case LONG_LINE -> {
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    out.write("container_network_receive_bytes_total{namespace=\"shop\",pod=\"".getBytes(StandardCharsets.UTF_8));
                    byte[] chunk = new byte[1 << 16];
                    Arrays.fill(chunk, (byte) 'x');
                    for (int i = 0; i < 1600 && !closed; i++) {
                        out.write(chunk); // 100 MiB of one label value
                    }
                    out.write(("\"} 1\n" + NORMAL_PAYLOAD).getBytes(StandardCharsets.UTF_8));
                }
                case HUNDRED_THOUSAND_PODS -> {
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    StringBuilder sb = new StringBuilder(1 << 17);
                    for (String family : new String[] {"receive", "transmit"}) {
                        for (int i = 0; i < 100_000 && !closed; i++) {
                            sb.append("container_network_").append(family)
                                    .append("_bytes_total{container=\"\",interface=\"eth0\",namespace=\"ns-")
                                    .append(i % 50).append("\",pod=\"pod-").append(i).append("\"} ").append(i).append('\n');
                            if (sb.length() > 1 << 16) {
                                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                                sb.setLength(0);
                            }
                        }
                    }
                    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new IllegalStateException("BUG: mode " + m);
            }
        } catch (IOException e) {
            // the agent hung up: what a hostile body is for
        }
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
