package dev.netcost.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.testing.TestCertificates;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS reverse proxy in front of a real Prometheus, the way Prometheus is usually protected: it
 * checks the {@code Authorization} header (when one is required) and, optionally, a client
 * certificate, and forwards GET requests. Records the headers it saw.
 */
final class AuthProxy implements AutoCloseable {
    private final HttpsServer server;
    private final List<String> seenHeaders = new CopyOnWriteArrayList<>();

    private AuthProxy(HttpsServer server) {
        this.server = server;
    }

    /**
     * @param requiredAuthorization the exact Authorization header to demand, or null for none
     * @param needClientCert        demand a client certificate signed by the test CA
     */
    static AuthProxy start(TestCertificates certs, URI upstream, String requiredAuthorization, boolean needClientCert)
            throws Exception {
        SSLContext ctx = TlsContexts.client(certs.caCert(), certs.serverCert(), certs.serverKey(), false);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                javax.net.ssl.SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(needClientCert);
                params.setSSLParameters(p);
            }
        });
        AuthProxy proxy = new AuthProxy(server);
        HttpClient http = HttpClient.newHttpClient();
        server.createContext("/", exchange -> proxy.handle(exchange, http, upstream, requiredAuthorization));
        server.start();
        return proxy;
    }

    private void handle(HttpExchange ex, HttpClient http, URI upstream, String requiredAuthorization) throws IOException {
        try (ex) {
            ex.getRequestHeaders().forEach((k, v) -> seenHeaders.add(k + ": " + String.join(",", v)));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (requiredAuthorization != null && !requiredAuthorization.equals(auth)) {
                byte[] body = "{\"status\":\"error\",\"error\":\"unauthorized\"}".getBytes();
                ex.sendResponseHeaders(401, body.length);
                ex.getResponseBody().write(body);
                return;
            }
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(upstream.resolve(ex.getRequestURI().toString().substring(1)))
                    .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(resp.statusCode(), resp.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(resp.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code https://127.0.0.1:<port>/} (or localhost, which the certificate also names). */
    URI url(String host) {
        return URI.create("https://" + host + ":" + server.getAddress().getPort() + "/");
    }

    List<String> seenHeaders() {
        return seenHeaders;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
