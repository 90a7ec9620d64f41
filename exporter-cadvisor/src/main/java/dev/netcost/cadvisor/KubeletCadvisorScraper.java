package dev.netcost.cadvisor;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.spi.SourceUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * GETs the kubelet's {@code /metrics/cadvisor} with the service-account token and returns the body
 * in a buffer reused across scrapes, decompressed when the kubelet sent gzip. Both the body on the
 * wire and the decompressed body are bounded by {@code maxBytes}; the whole exchange, body
 * included, by {@code timeout}. Every failure becomes an exception whose message says what to check.
 */
final class KubeletCadvisorScraper {
    private static final int ERROR_BODY_LIMIT = 1024;

    private final URI url;
    private final CredentialFile token;
    private final Path caFile;
    private final boolean insecureSkipVerify;
    private final Duration timeout;
    private final long maxBytes;
    private final ByteBuf wire = new ByteBuf(64 * 1024);
    private final ByteBuf decompressed = new ByteBuf(64 * 1024);
    private final BoundedGunzip gunzip = new BoundedGunzip();
    private HttpClient client;
    private long generation; // guarded by wire

    KubeletCadvisorScraper(URI url, Path bearerTokenFile, Path caFile, boolean insecureSkipVerify, Duration timeout,
            long maxBytes) {
        this.url = Objects.requireNonNull(url, "url");
        this.token = bearerTokenFile == null ? null : new CredentialFile(bearerTokenFile);
        this.caFile = caFile;
        this.insecureSkipVerify = insecureSkipVerify;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
    }

    /** A body: {@code bytes()[0..length())}, valid until the next scrape. */
    record Body(byte[] bytes, int length) {
    }

    Body scrape() throws IOException, SourceUnavailableException, InterruptedException {
        HttpClient http = client();
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().timeout(timeout)
                .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
                .header("Accept-Encoding", "gzip");
        if (token != null) {
            rb.header("Authorization", "Bearer " + readToken());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (wire) {
            generation++; // a late write from an abandoned exchange must not land in this scrape's buffer
            wire.clear();
        }
        CompletableFuture<HttpResponse<String>> f = http.sendAsync(rb.build(), this::subscriber);
        HttpResponse<String> response;
        try {
            response = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw timedOut();
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw explain(e.getCause());
        } catch (CancellationException e) {
            throw new IOException("scrape of " + where() + " was cancelled", e);
        }
        int status = response.statusCode();
        if (status != 200) {
            throw statusError(status, response.body());
        }
        String encoding = response.headers().firstValue("Content-Encoding").orElse("identity").trim()
                .toLowerCase(Locale.ROOT);
        if (encoding.equals("gzip")) {
            try {
                gunzip.decompress(wire.bytes(), wire.length(), decompressed, maxBytes);
            } catch (BodyTooLargeException e) {
                throw tooLarge("after decompression");
            } catch (IOException e) {
                throw new IOException("the kubelet's gzip body from " + where() + " is broken: " + e.getMessage()
                        + "; possible fixes: check for a proxy between the agent and the kubelet", e);
            }
            return new Body(decompressed.bytes(), decompressed.length());
        }
        if (!encoding.equals("identity")) {
            throw new IOException("the kubelet at " + where() + " answered with Content-Encoding " + encoding
                    + ", which netcost does not decode");
        }
        return new Body(wire.bytes(), wire.length());
    }

    private String readToken() throws SourceUnavailableException, IOException {
        try {
            return token.read();
        } catch (NoSuchFileException e) {
            throw new SourceUnavailableException("no service-account token at " + token.path()
                    + "; possible fixes: mount the service-account token (automountServiceAccountToken) or set"
                    + " cadvisor.bearerTokenFile");
        }
    }

    private HttpClient client() throws SourceUnavailableException, IOException {
        if (client == null) {
            try {
                HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NEVER);
                if (url.getScheme().equals("https")) {
                    Path ca = caFile != null && !insecureSkipVerify ? caFile : null;
                    if (ca != null && !Files.exists(ca)) {
                        throw new SourceUnavailableException("no CA file at " + ca + " to verify the kubelet with;"
                                + " possible fixes: set cadvisor.caFile to the CA that signed the kubelet's serving"
                                + " certificate, or cadvisor.insecureSkipVerify: true");
                    }
                    b.sslContext(TlsContexts.client(ca, null, null, insecureSkipVerify));
                }
                client = b.build();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS for the kubelet from " + caFile + ": " + e.getMessage()
                        + "; possible fixes: check that cadvisor.caFile holds PEM certificates", e);
            }
        }
        return client;
    }

    /** Reads the body into {@link #wire}, within {@code maxBytes}; an error answer keeps its first KiB as text. */
    private HttpResponse.BodySubscriber<String> subscriber(HttpResponse.ResponseInfo info) {
        if (info.statusCode() != 200) {
            return new Collector(ERROR_BODY_LIMIT, true);
        }
        long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > maxBytes) {
            return new Collector(-1, false); // fails at once, without reading
        }
        if (declared > 0) {
            synchronized (wire) {
                wire.ensureCapacity(declared, maxBytes);
            }
        }
        return new Collector(maxBytes, false);
    }

    private final class Collector implements HttpResponse.BodySubscriber<String> {
        private final long limit;
        private final boolean truncate;
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private final long myGeneration;
        private Flow.Subscription subscription;

        Collector(long limit, boolean truncate) {
            this.limit = limit;
            this.truncate = truncate;
            synchronized (wire) {
                this.myGeneration = generation;
            }
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (limit < 0) {
                s.cancel();
                result.completeExceptionally(new BodyTooLargeException("Content-Length exceeds the limit"));
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            synchronized (wire) {
                if (!result.isDone() && myGeneration == generation) {
                    append(items);
                }
            }
        }

        private void append(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int n = b.remaining();
                if (wire.length() + (long) n > limit) {
                    if (truncate) {
                        n = (int) (limit - wire.length());
                    } else {
                        subscription.cancel();
                        result.completeExceptionally(new BodyTooLargeException("body exceeds " + limit + " bytes"));
                        return;
                    }
                }
                wire.ensureCapacity(wire.length() + (long) n, limit);
                b.get(wire.bytes(), wire.length(), n);
                wire.setLength(wire.length() + n);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            synchronized (wire) {
                result.complete(truncate ? new String(wire.bytes(), 0, wire.length(), StandardCharsets.UTF_8) : "");
            }
        }
    }

    private IOException statusError(int status, String body) {
        if (token != null && (status == 401 || status == 403)) {
            token.invalidate(); // a rotated token is read afresh next time, even if its mtime did not change
        }
        String detail = body == null || body.isBlank() ? "" : ": " + body.strip();
        return switch (status) {
            case 401 -> new IOException("the kubelet at " + where() + " rejected the bearer token (401 Unauthorized)"
                    + detail + "; possible fixes: check that " + tokenPath() + " holds a valid service-account token"
                    + " and that the kubelet runs with --authentication-token-webhook");
            case 403 -> new IOException("the kubelet at " + where() + " denied access (403 Forbidden)" + detail
                    + "; possible fixes: grant the agent's service account 'get' on nodes/metrics (RBAC) in its"
                    + " ClusterRole");
            case 404 -> new IOException("the kubelet at " + where() + " has no " + url.getPath() + " (404)" + detail
                    + "; possible fixes: check cadvisor.url (the path is /metrics/cadvisor)");
            default -> new IOException("the kubelet at " + where() + " answered HTTP " + status + detail);
        };
    }

    private IOException explain(Throwable t) {
        if (t instanceof BodyTooLargeException) {
            return tooLarge("on the wire");
        }
        if (t instanceof HttpConnectTimeoutException) {
            return new IOException("cannot connect to the kubelet at " + where() + " within " + timeout.toMillis()
                    + " ms; possible fixes: check NODE_IP/cadvisor.url name this node and that nothing (NetworkPolicy,"
                    + " security group, host firewall) blocks port " + port(), t);
        }
        if (t instanceof HttpTimeoutException) {
            return timedOut();
        }
        if (t instanceof ConnectException) {
            return new IOException("cannot connect to the kubelet at " + where() + " (" + t.getMessage()
                    + "); possible fixes: check NODE_IP/cadvisor.url name this node and that the kubelet listens on"
                    + " port " + port() + " (its --port)", t);
        }
        if (t instanceof SSLException) {
            return new IOException("TLS with the kubelet at " + where() + " failed (" + t.getMessage()
                    + "); possible fixes: check cadvisor.caFile (" + caFile + ") is the CA that signed the kubelet's"
                    + " serving certificate (kubelets often self-sign: enable serverTLSBootstrap), or set"
                    + " cadvisor.insecureSkipVerify: true", t);
        }
        if (t instanceof IOException io) {
            return new IOException("reading from the kubelet at " + where() + " failed, the body may be cut short ("
                    + io.getMessage() + "); possible fixes: check the kubelet's health and logs", io);
        }
        return new IOException("scraping the kubelet at " + where() + " failed: " + t, t);
    }

    private IOException timedOut() {
        return new IOException("the kubelet at " + where() + " did not send its whole answer within "
                + timeout.toMillis() + " ms (cadvisor.timeout); possible fixes: raise cadvisor.timeout, check the"
                + " kubelet's load, or use cadvisor.source: procfs on nodes with very many pods");
    }

    private IOException tooLarge(String how) {
        return new BodyTooLargeException("the kubelet's answer from " + where() + " is larger than cadvisor.maxBytes ("
                + maxBytes + " bytes) " + how + "; scrape aborted; possible fixes: raise cadvisor.maxBytes or use"
                + " cadvisor.source: procfs");
    }

    private String tokenPath() {
        return token == null ? "cadvisor.bearerTokenFile" : token.path().toString();
    }

    private int port() {
        return url.getPort() > 0 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80;
    }

    private String where() {
        return ConfigNode.redactUrl(url.toString());
    }
}
