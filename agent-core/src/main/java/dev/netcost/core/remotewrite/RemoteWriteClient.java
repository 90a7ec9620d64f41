package dev.netcost.core.remotewrite;

import dev.netcost.core.Version;
import dev.netcost.core.auth.CredentialFile;
import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.Durations;
import dev.netcost.core.config.RemoteWriteConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one encoded, compressed {@code WriteRequest} to one endpoint: the protocol's headers, the
 * user's extra headers (which can never replace the protocol's), and authentication (bearer token,
 * basic auth or SigV4). The whole request, from connecting to the last byte of the response body,
 * runs under one deadline ({@code timeout}): a peer that stalls or trickles is abandoned and the
 * request reported as a retryable failure, so a shard can never hang on one response.
 */
final class RemoteWriteClient {
    static final String CONTENT_TYPE = "application/x-protobuf";
    static final String CONTENT_ENCODING = "snappy";
    static final String PROTOCOL_VERSION = "0.1.0";

    private final RemoteWriteConfig config;
    private final URI url;
    private final HttpClient http;
    private final CredentialFile bearerToken;
    private final CredentialFile password;
    private final SigV4RequestSigner sigv4;
    private final Clock clock;
    private final ExecutorService executor;

    RemoteWriteClient(RemoteWriteConfig config, Clock clock, SigV4RequestSigner sigv4)
            throws IOException, GeneralSecurityException {
        this.config = config;
        this.clock = clock;
        this.sigv4 = sigv4;
        this.url = sigv4 == null ? config.url() : withoutDefaultPort(config.url());
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

    /**
     * {@code https://host:443/x} as {@code https://host/x}: the JDK's client writes the Host header
     * with the port as given, the signer without a default port, and the two must agree.
     */
    private static URI withoutDefaultPort(URI u) {
        int def = u.getScheme().equals("https") ? 443 : 80;
        if (u.getPort() != def) {
            return u;
        }
        try {
            return new URI(u.getScheme(), u.getUserInfo(), u.getHost(), -1, u.getPath(), u.getQuery(), u.getFragment());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("BUG: cannot drop the port of a valid URI", e);
        }
    }

    SendResult send(byte[] body, int length) throws InterruptedException {
        long start = System.nanoTime();
        HttpRequest.Builder req = HttpRequest.newBuilder(url)
                .timeout(config.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            if (!ConfigLoader.RESERVED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                headers.put(h.getKey(), h.getValue());
            }
        }
        headers.put("Content-Encoding", CONTENT_ENCODING);
        headers.put("Content-Type", CONTENT_TYPE);
        headers.put("X-Prometheus-Remote-Write-Version", PROTOCOL_VERSION);
        headers.forEach(req::setHeader);
        req.setHeader("User-Agent", Version.userAgent());
        try {
            if (bearerToken != null) {
                req.setHeader("Authorization", "Bearer " + bearerToken.read());
            } else if (password != null) {
                String pair = config.basicAuth().username() + ":" + password.read();
                req.setHeader("Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
            } else if (sigv4 != null) {
                sigv4.sign("POST", url, headers, body, 0, length).forEach(req::setHeader);
            }
        } catch (IOException e) {
            return new SendResult(0, null, "cannot read credentials file: " + e.getMessage());
        } catch (SigV4RequestSigner.SigningException e) {
            return new SendResult(0, null, e.getMessage());
        }
        CompletableFuture<HttpResponse<String>> exchange = http.sendAsync(req.build(),
                info -> new ExcerptBodySubscriber(SendResult.MAX_DETAIL_CHARS + 1));
        HttpResponse<String> resp;
        try {
            long left = config.timeout().toNanos() - (System.nanoTime() - start);
            resp = exchange.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Since JDK 16 this aborts the exchange and closes its connection, mid-body too (tested).
            exchange.cancel(true);
            return timedOut();
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return timedOut();
            }
            return new SendResult(0, null, cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
        String detail = SendResult.truncate(resp.body().strip());
        if (resp.statusCode() == 401 || resp.statusCode() == 403) {
            if (bearerToken != null) {
                bearerToken.invalidate();
            }
            if (password != null) {
                password.invalidate();
            }
            if (sigv4 != null) {
                detail = detail + " [signed with SigV4 as " + sigv4.identity() + "; possible fixes: grant the role"
                        + " aps:RemoteWrite on this workspace, check the region and that the pod's IAM role"
                        + " (IRSA annotation or Pod Identity association) is the one meant]";
            }
        }
        return new SendResult(resp.statusCode(),
                Backoff.parseRetryAfter(resp.headers().firstValue("Retry-After").orElse(null), clock), detail);
    }

    private SendResult timedOut() {
        return SendResult.timedOut("no complete response within " + Durations.format(config.timeout())
                + " (connect, headers and body); the request was abandoned (possible fixes: check the endpoint"
                + " and any proxy in front of it, or raise remoteWrite[].timeout)");
    }

    /** Ends the client's threads and the signer's credential refresh; Java 17's HttpClient has no close of its own. */
    void close() {
        executor.shutdownNow();
        if (sigv4 != null) {
            sigv4.close();
        }
    }
}
