package dev.netcost.cadvisor;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.netcost.core.auth.PemFiles;
import dev.netcost.core.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A kubelet-like HTTPS endpoint on 127.0.0.1 for tests: real TLS with the test CA's server
 * certificate, a bearer-token check (401 on a wrong one), gzip when asked for, and knobs for the
 * ways a real kubelet or the network fails.
 */
final class FakeKubelet implements AutoCloseable {
    enum Mode { NORMAL, TRUNCATED, SLOW, RAW_GZIP_BODY, FORBIDDEN }

    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-kubelet");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    volatile byte[] payload = new byte[0];
    volatile String expectedToken = "token-1";
    volatile boolean gzip = true;
    volatile boolean sendContentLength = true;
    volatile Mode mode = Mode.NORMAL;
    volatile byte[] rawBody;
    volatile String lastAcceptEncoding;
    volatile String lastAccept;
    volatile String contentType = "text/plain; version=0.0.4; charset=utf-8";
    private volatile boolean closed;

    FakeKubelet(TestCertificates certs) throws Exception {
        X509Certificate[] chain = PemFiles.readCertificates(certs.serverCert()).toArray(new X509Certificate[0]);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setKeyEntry("server", PemFiles.readPrivateKey(certs.serverKey()), new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.setExecutor(executor);
        server.createContext("/metrics/cadvisor", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/metrics/cadvisor");
    }

    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        try (ex) {
            lastAcceptEncoding = ex.getRequestHeaders().getFirst("Accept-Encoding");
            lastAccept = ex.getRequestHeaders().getFirst("Accept");
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.equals("Bearer " + expectedToken)) {
                byte[] msg = "Unauthorized".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.sendResponseHeaders(401, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            if (mode == Mode.FORBIDDEN) {
                byte[] msg = ("Forbidden (user=system:serviceaccount:netcost:agent, verb=get, resource=nodes,"
                        + " subresource(s)=[metrics])").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                ex.sendResponseHeaders(403, msg.length);
                ex.getResponseBody().write(msg);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", contentType);
            byte[] body = payload;
            if (mode == Mode.RAW_GZIP_BODY) {
                body = rawBody;
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
            } else if (gzip && lastAcceptEncoding != null && lastAcceptEncoding.contains("gzip")) {
                body = gzip(body);
                ex.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            switch (mode) {
                case TRUNCATED -> {
                    ex.sendResponseHeaders(200, body.length);
                    OutputStream out = ex.getResponseBody();
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    // Closing short of Content-Length makes the server drop the connection.
                }
                case SLOW -> {
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    for (int i = 0; i < body.length && !closed; i++) {
                        out.write(body[i]);
                        out.flush();
                        try {
                            Thread.sleep(50); // the misbehaviour under test: a kubelet that dribbles
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                default -> {
                    ex.sendResponseHeaders(200, sendContentLength ? body.length : 0);
                    ex.getResponseBody().write(body);
                }
            }
        }
    }

    static byte[] gzip(byte[] data) throws IOException {
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
