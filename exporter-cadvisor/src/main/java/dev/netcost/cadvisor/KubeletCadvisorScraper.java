package dev.netcost.cadvisor;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.spi.SourceUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * GETs the kubelet's {@code /metrics/cadvisor} with the service-account token and hands out the
 * body as it arrives, decompressed on the fly when the kubelet sent gzip: the body is never held
 * whole. Both the body on the wire and the decompressed body are bounded by {@code maxBytes}; the
 * whole exchange, body included, by {@code timeout}. Every failure becomes an exception whose
 * message says what to check. One scrape at a time.
 */
final class KubeletCadvisorScraper {
    private static final int ERROR_BODY_LIMIT = 1024;

    private final URI url;
    private final CredentialFile token;
    private final Path caFile;
    private final boolean insecureSkipVerify;
    private final Duration timeout;
    private final long maxBytes;
    private final boolean acceptGzip;
    private final GunzipStream gunzip = new GunzipStream();
    private HttpClient client;

    KubeletCadvisorScraper(URI url, Path bearerTokenFile, Path caFile, boolean insecureSkipVerify, Duration timeout,
            long maxBytes, boolean acceptGzip) {
        this.acceptGzip = acceptGzip;
        this.url = Objects.requireNonNull(url, "url");
        this.token = bearerTokenFile == null ? null : new CredentialFile(bearerTokenFile);
        this.caFile = caFile;
        this.insecureSkipVerify = insecureSkipVerify;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxBytes = maxBytes;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Sends the request and waits for the answer's headers; the body is then read from the returned
     * {@link Answer}, which must be closed.
     */
    Answer open() throws IOException, SourceUnavailableException, InterruptedException {
        HttpClient http = client();
        HttpRequest.Builder rb = HttpRequest.newBuilder(url).GET().timeout(timeout)
                .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
                .header("Accept-Encoding", acceptGzip ? "gzip" : "identity");
        if (token != null) {
            rb.header("Authorization", "Bearer " + readToken());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        StreamingBody body = new StreamingBody(deadline);
        CompletableFuture<HttpResponse<StreamingBody>> f = http.sendAsync(rb.build(), info -> body);
        HttpResponse<StreamingBody> response;
        try {
            response = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            body.cancel();
            throw timedOut();
        } catch (InterruptedException e) {
            f.cancel(true);
            body.cancel();
            throw e;
        } catch (ExecutionException e) {
            body.cancel();
            throw explain(e.getCause());
        } catch (CancellationException e) {
            body.cancel();
            throw new IOException("scrape of " + where() + " was cancelled", e);
        }
        Answer answer = new Answer(response, body);
        try {
            answer.check();
        } catch (IOException | RuntimeException e) {
            answer.close();
            throw e;
        }
        return answer;
    }

    /** One answer with status 200: its body, decompressed, read within {@code maxBytes} and the deadline. */
    final class Answer implements CadvisorTextParser.ChunkSource, AutoCloseable {
        private final HttpResponse<StreamingBody> response;
        private final StreamingBody body;
        private final String contentType;
        private boolean gzipped;
        private long wireBytes;
        private long bodyBytes;

        private Answer(HttpResponse<StreamingBody> response, StreamingBody body) {
            this.response = response;
            this.body = body;
            this.contentType = response.headers().firstValue("Content-Type").orElse("").strip();
        }

        /** The answer's Content-Type, as sent (empty when none). */
        String contentType() {
            return contentType;
        }

        private void check() throws IOException {
            int status = response.statusCode();
            if (status != 200) {
                throw statusError(status, errorBody());
            }
            long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > maxBytes) {
                throw tooLarge("on the wire");
            }
            String type = contentType.toLowerCase(Locale.ROOT);
            if (!type.isEmpty() && !type.startsWith("text/plain") && !type.startsWith("application/openmetrics-text")) {
                throw new IOException("the kubelet at " + where() + " answered with Content-Type '" + printable(contentType)
                        + "', not the Prometheus text format; possible fixes: check that cadvisor.url is the"
                        + " kubelet's /metrics/cadvisor and that no proxy rewrites the answer");
            }
            String encoding = response.headers().firstValue("Content-Encoding").orElse("identity").strip()
                    .toLowerCase(Locale.ROOT);
            if (encoding.equals("gzip")) {
                gzipped = true;
                gunzip.reset(this::readWire);
            } else if (!encoding.equals("identity")) {
                throw new IOException("the kubelet at " + where() + " answered with Content-Encoding "
                        + printable(encoding) + ", which netcost does not decode");
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (!gzipped) {
                return readWire(b, off, len);
            }
            int n;
            try {
                n = gunzip.read(b, off, len);
            } catch (BodyTooLargeException | HttpTimeoutException | InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("reading from the kubelet")) {
                    throw e;
                }
                throw new IOException("the kubelet's gzip body from " + where() + " is broken: " + e.getMessage()
                        + "; possible fixes: check for a proxy between the agent and the kubelet", e);
            }
            if (n > 0) {
                bodyBytes += n;
                if (bodyBytes > maxBytes) {
                    throw tooLarge("after decompression");
                }
            }
            return n;
        }

        private int readWire(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = body.read(b, off, len);
            } catch (HttpTimeoutException e) {
                throw timedOut();
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                throw explain(e);
            }
            if (n > 0) {
                wireBytes += n;
                if (wireBytes > maxBytes) {
                    throw tooLarge("on the wire");
                }
            }
            return n;
        }

        /** The first KiB of an error answer, as text. */
        private String errorBody() {
            byte[] buf = new byte[ERROR_BODY_LIMIT];
            int len = 0;
            try {
                while (len < buf.length) {
                    int n = body.read(buf, len, buf.length - len);
                    if (n < 0) {
                        break;
                    }
                    len += n;
                }
            } catch (IOException e) {
                // what arrived is enough to explain the status
            }
            return printable(new String(buf, 0, len, StandardCharsets.UTF_8));
        }

        /** Stops reading: the rest of an abandoned body is never downloaded. */
        @Override
        public void close() {
            body.cancel();
        }
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
                    + printable(String.valueOf(io.getMessage())) + "); possible fixes: check the kubelet's health and"
                    + " logs", io);
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

    /** {@code text} with control characters escaped, so a hostile answer cannot forge log lines. */
    static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
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
