package dev.netcost.core.remotewrite;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.netcost.core.remotewrite.prompb.Remote;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.xerial.snappy.Snappy;

/**
 * A real HTTP(S) server on 127.0.0.1, port 0, that decodes remote-write requests and answers from a
 * script of responses (204 once the script is used up). For testing the sender's protocol rules; real
 * Prometheus and VictoriaMetrics are used by the *IT tests.
 */
final class FakeReceiver implements AutoCloseable {
    record Received(Map<String, String> headers, Remote.WriteRequest request, int uncompressedBytes, int status) {
    }

    record Response(int status, Map<String, String> headers, String body) {
        static Response of(int status) {
            return new Response(status, Map.of(), "");
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Response> script = new ArrayDeque<>();
    private boolean down;

    private FakeReceiver(HttpServer server) {
        this.server = server;
        server.createContext("/api/v1/write", this::handle);
        server.start();
    }

    static FakeReceiver http() throws IOException {
        return new FakeReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
    }

    static FakeReceiver https(SSLContext ctx, boolean needClientAuth) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        return new FakeReceiver(s);
    }

    URI url() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
    }

    synchronized void respond(Response... responses) {
        script.addAll(List.of(responses));
    }

    /** While down, every request is answered 503 (the script waits). */
    synchronized void down(boolean down) {
        this.down = down;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
        Remote.WriteRequest req;
        int size;
        try {
            byte[] raw = Snappy.uncompress(body);
            size = raw.length;
            req = Remote.WriteRequest.parseFrom(raw);
        } catch (IOException e) {
            req = null;
            size = -1;
        }
        Response r;
        synchronized (this) {
            r = down ? Response.of(503) : script.isEmpty() ? Response.of(204) : script.poll();
            received.add(new Received(headers, req, size, r.status()));
        }
        r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        byte[] out = r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
