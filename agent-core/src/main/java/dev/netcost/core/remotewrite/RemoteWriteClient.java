package dev.netcost.core.remotewrite;

import dev.netcost.core.Version;
import dev.netcost.core.auth.CredentialFile;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.RemoteWriteConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends one encoded, compressed {@code WriteRequest} to one endpoint: the protocol's headers, the
 * user's extra headers (which can never replace the protocol's), and authentication.
 */
final class RemoteWriteClient {
    static final String CONTENT_TYPE = "application/x-protobuf";
    static final String CONTENT_ENCODING = "snappy";
    static final String PROTOCOL_VERSION = "0.1.0";

    private final RemoteWriteConfig config;
    private final HttpClient http;
    private final CredentialFile bearerToken;
    private final CredentialFile password;
    private final Clock clock;
    private final ExecutorService executor;

    RemoteWriteClient(RemoteWriteConfig config, Clock clock) throws IOException, GeneralSecurityException {
        this.config = config;
        this.clock = clock;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "netcost-remote-write-http-" + config.name());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder()
                .executor(executor)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout());
        if (config.url().getScheme().equals("https")) {
            RemoteWriteConfig.TlsConfig tls = config.tls();
            b.sslContext(TlsContexts.client(tls.caFile(), tls.certFile(), tls.keyFile(), tls.insecureSkipVerify()));
        }
        this.http = b.build();
        this.bearerToken = config.bearerTokenFile() == null ? null : new CredentialFile(config.bearerTokenFile());
        this.password = config.basicAuth() == null ? null : new CredentialFile(config.basicAuth().passwordFile());
    }

    SendResult send(byte[] body, int length) throws InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(config.url())
                .timeout(config.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            if (!ConfigLoader.RESERVED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                req.setHeader(h.getKey(), h.getValue());
            }
        }
        req.setHeader("Content-Encoding", CONTENT_ENCODING)
                .setHeader("Content-Type", CONTENT_TYPE)
                .setHeader("X-Prometheus-Remote-Write-Version", PROTOCOL_VERSION)
                .setHeader("User-Agent", Version.userAgent());
        try {
            if (bearerToken != null) {
                req.setHeader("Authorization", "Bearer " + bearerToken.read());
            } else if (password != null) {
                String pair = config.basicAuth().username() + ":" + password.read();
                req.setHeader("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            return new SendResult(0, null, "cannot read credentials file: " + e.getMessage());
        }
        try {
            HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            String excerpt;
            try (InputStream in = resp.body()) {
                excerpt = new String(in.readNBytes(SendResult.MAX_DETAIL_CHARS), StandardCharsets.UTF_8);
                in.transferTo(OutputStream.nullOutputStream());
            }
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                if (bearerToken != null) {
                    bearerToken.invalidate();
                }
                if (password != null) {
                    password.invalidate();
                }
            }
            return new SendResult(resp.statusCode(),
                    Backoff.parseRetryAfter(resp.headers().firstValue("Retry-After").orElse(null), clock),
                    SendResult.truncate(excerpt.strip()));
        } catch (IOException e) {
            return new SendResult(0, null, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Ends the client's threads; Java 17's HttpClient has no close of its own. */
    void close() {
        executor.shutdownNow();
    }

}
