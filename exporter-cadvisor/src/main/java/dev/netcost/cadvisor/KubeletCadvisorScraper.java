package dev.netcost.cadvisor;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.log.Printable;
import dev.netcost.core.spi.SourceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * GETs the kubelet's {@code /metrics/cadvisor} with the service-account token and hands out the
 * body as it arrives, decompressed on the fly when the kubelet sent gzip: the body is never held
 * whole. The exporter's own thread reads the connection (a blocking read into the parser's window:
 * no hand-off between threads, no buffer per chunk); a watchdog closes the connection at the
 * deadline, so {@code timeout} bounds the whole exchange, body included, even against a kubelet that
 * trickles. Both the body on the wire and the decompressed body are bounded by {@code maxBytes}.
 * Every failure becomes an exception whose message says what to check. One scrape at a time.
 */
final class KubeletCadvisorScraper implements AutoCloseable {
    private static final int ERROR_BODY_LIMIT = 1024;

    private final URI url;
    private final CredentialFile token;
    private final Path caFile;
    private final boolean insecureSkipVerify;
    private final Duration timeout;
    private final long maxBytes;
    private final boolean acceptGzip;
    private final GunzipStream gunzip = new GunzipStream();
    private SSLSocketFactory tls;
    private ScheduledThreadPoolExecutor watchdog;

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
    Answer open() throws IOException, SourceUnavailableException {
        HttpURLConnection c = connection();
        c.setRequestProperty("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
        c.setRequestProperty("Accept-Encoding", acceptGzip ? "gzip" : "identity");
        if (token != null) {
            c.setRequestProperty("Authorization", "Bearer " + readToken());
        }
        int ms = (int) Math.max(1, timeout.toMillis());
        c.setConnectTimeout(ms);
        c.setReadTimeout(ms);
        Answer answer = new Answer(c);
        answer.deadline = watchdog().schedule(answer::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
        try {
            answer.check();
        } catch (IOException | RuntimeException e) {
            answer.abandon();
            throw e;
        }
        return answer;
    }

    private HttpURLConnection connection() throws IOException, SourceUnavailableException {
        // The kubelet is on this node: never through a JVM-wide proxy setting.
        HttpURLConnection c = (HttpURLConnection) url.toURL().openConnection(Proxy.NO_PROXY);
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        if (c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls());
            if (insecureSkipVerify) {
                https.setHostnameVerifier((host, session) -> true);
            }
        }
        return c;
    }

    private synchronized ScheduledThreadPoolExecutor watchdog() {
        if (watchdog == null) {
            watchdog = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "netcost-kubelet-deadline");
                t.setDaemon(true);
                return t;
            });
            watchdog.setRemoveOnCancelPolicy(true);
        }
        return watchdog;
    }

    @Override
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }

    /** One answer with status 200: its body, decompressed, read within {@code maxBytes} and the deadline. */
    final class Answer implements CadvisorTextParser.ChunkSource, AutoCloseable {
        private final HttpURLConnection connection;
        private volatile boolean expired;
        private ScheduledFuture<?> deadline;
        private InputStream body;
        private String contentType = "";
        private boolean gzipped;
        private boolean ended;
        private long wireBytes;
        private long bodyBytes;
        private long contentLength = -1;

        private Answer(HttpURLConnection connection) {
            this.connection = connection;
        }

        /** The answer's Content-Type, as sent (empty when none). */
        String contentType() {
            return contentType;
        }

        /** At the deadline, from the watchdog: closing the connection ends a read blocked on it. */
        private void expire() {
            expired = true;
            connection.disconnect();
        }

        private void check() throws IOException {
            int status;
            try {
                status = connection.getResponseCode();
            } catch (IOException e) {
                throw expired ? timedOut() : explain(e);
            }
            contentType = connection.getContentType() == null ? "" : connection.getContentType().strip();
            if (status != 200) {
                throw statusError(status, errorBody());
            }
            contentLength = connection.getContentLengthLong();
            if (contentLength > maxBytes) {
                throw tooLarge("on the wire");
            }
            String type = contentType.toLowerCase(Locale.ROOT);
            if (!type.isEmpty() && !type.startsWith("text/plain") && !type.startsWith("application/openmetrics-text")) {
                throw new IOException("the kubelet at " + where() + " answered with Content-Type '" + Printable.of(contentType)
                        + "', not the Prometheus text format; possible fixes: check that cadvisor.url is the"
                        + " kubelet's /metrics/cadvisor and that no proxy rewrites the answer");
            }
            String encoding = connection.getContentEncoding() == null ? "identity"
                    : connection.getContentEncoding().strip().toLowerCase(Locale.ROOT);
            try {
                body = connection.getInputStream();
            } catch (IOException e) {
                throw expired ? timedOut() : explain(e);
            }
            if (encoding.equals("gzip")) {
                gzipped = true;
                gunzip.reset(this::readWire);
            } else if (!encoding.equals("identity")) {
                throw new IOException("the kubelet at " + where() + " answered with Content-Encoding "
                        + Printable.of(encoding) + ", which netcost does not decode");
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
            } catch (BodyTooLargeException e) {
                throw e;
            } catch (IOException e) {
                if (e.getMessage() != null && (e.getMessage().startsWith("reading from the kubelet")
                        || e.getMessage().startsWith("the kubelet at"))) {
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
            } catch (IOException e) {
                throw expired ? timedOut() : explain(e);
            }
            if (expired) {
                throw timedOut();
            }
            if (n < 0) {
                // HttpURLConnection ends a fixed-length body quietly when the connection closes early;
                // the parser would take the half line it got for a whole one.
                if (contentLength >= 0 && wireBytes < contentLength) {
                    throw new IOException("the kubelet at " + where() + " cut its answer short: the connection closed"
                            + " after " + wireBytes + " of the " + contentLength + " bytes of its Content-Length;"
                            + " scrape discarded; possible fixes: check the kubelet's health and logs");
                }
                ended = true;
            } else {
                wireBytes += n;
                if (wireBytes > maxBytes) {
                    throw tooLarge("on the wire");
                }
            }
            return n;
        }

        /** The first KiB of an error answer, as text. */
        private String errorBody() {
            InputStream err = connection.getErrorStream();
            if (err == null) {
                return "";
            }
            byte[] buf = new byte[ERROR_BODY_LIMIT];
            int len = 0;
            try {
                while (len < buf.length) {
                    int n = err.read(buf, len, buf.length - len);
                    if (n < 0) {
                        break;
                    }
                    len += n;
                }
            } catch (IOException e) {
                // what arrived is enough to explain the status
            }
            return Printable.of(new String(buf, 0, len, StandardCharsets.UTF_8));
        }

        /** Stops the watchdog; a body read to its end keeps the connection for the next scrape, any other is closed. */
        @Override
        public void close() {
            deadline.cancel(false);
            if (ended && !expired) {
                try {
                    body.close();
                } catch (IOException e) {
                    connection.disconnect();
                }
            } else {
                connection.disconnect(); // never download the rest of an abandoned body
            }
        }

        private void abandon() {
            ended = false;
            close();
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

    private SSLSocketFactory tls() throws SourceUnavailableException, IOException {
        if (tls == null) {
            Path ca = caFile != null && !insecureSkipVerify ? caFile : null;
            if (ca != null && !Files.exists(ca)) {
                throw new SourceUnavailableException("no CA file at " + ca + " to verify the kubelet with;"
                        + " possible fixes: set cadvisor.caFile to the CA that signed the kubelet's serving"
                        + " certificate, or cadvisor.insecureSkipVerify: true");
            }
            try {
                tls = TlsContexts.client(ca, null, null, insecureSkipVerify).getSocketFactory();
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot set up TLS for the kubelet from " + caFile + ": " + e.getMessage()
                        + "; possible fixes: check that cadvisor.caFile holds PEM certificates", e);
            }
        }
        return tls;
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
        if (t instanceof SocketTimeoutException && String.valueOf(t.getMessage()).contains("connect")) {
            return new IOException("cannot connect to the kubelet at " + where() + " within " + timeout.toMillis()
                    + " ms; possible fixes: check NODE_IP/cadvisor.url name this node and that nothing (NetworkPolicy,"
                    + " security group, host firewall) blocks port " + port(), t);
        }
        if (t instanceof SocketTimeoutException) {
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
                    + Printable.of(String.valueOf(io.getMessage())) + "); possible fixes: check the kubelet's health and"
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
