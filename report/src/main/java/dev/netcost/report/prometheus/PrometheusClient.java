package dev.netcost.report.prometheus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.netcost.core.Version;
import dev.netcost.core.auth.TlsContexts;
import dev.netcost.report.ReportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLException;

/**
 * A client of the Prometheus HTTP API's {@code /api/v1/query_range}, as Prometheus, VictoriaMetrics,
 * Thanos and Mimir serve it. Responses are parsed as a stream, series by series, so a month of hourly
 * points for thousands of pods never sits in memory as JSON. 5xx, 429 and I/O errors are retried twice.
 */
public final class PrometheusClient implements AutoCloseable {
    static final int ATTEMPTS = 3;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final int MAX_ERROR_CHARS = 1024;
    private static final JsonFactory JSON = new JsonFactory();

    /** Receives one series of a range query: its labels and its points (seconds, value text). */
    public interface SeriesHandler {
        void series(Map<String, String> labels, long[] timestamps, String[] values);
    }

    private final PrometheusSettings settings;
    private final URI base;
    private final RequestAuthorizer authorizer;
    private final boolean ownsAuthorizer;
    private final HttpClient http;
    private final ExecutorService executor;

    private PrometheusClient(PrometheusSettings settings, HttpClient http, ExecutorService executor) {
        this.settings = settings;
        String u = settings.url().toString();
        this.base = URI.create(u.endsWith("/") ? u : u + "/");
        this.authorizer = settings.effectiveAuthorizer();
        this.ownsAuthorizer = settings.authorizer() == null;
        this.http = http;
        this.executor = executor;
    }

    /** A client; bad TLS files are bad input. */
    public static PrometheusClient create(PrometheusSettings settings) throws ReportException {
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "netcost-report-http");
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder b = HttpClient.newBuilder()
                .executor(executor)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10).compareTo(settings.timeout()) < 0 ? Duration.ofSeconds(10) : settings.timeout());
        if ("https".equalsIgnoreCase(settings.url().getScheme())) {
            try {
                b.sslContext(TlsContexts.client(settings.caFile(), settings.certFile(), settings.keyFile(),
                        settings.insecureSkipVerify()));
            } catch (IOException | GeneralSecurityException e) {
                executor.shutdownNow();
                throw ReportException.badInput("cannot load the TLS files (--tls-ca-file, --tls-cert-file,"
                        + " --tls-key-file): " + e.getMessage());
            }
        }
        return new PrometheusClient(settings, b.build(), executor);
    }

    /** The base URL without user info, for messages. */
    public String displayUrl() {
        return redact(base);
    }

    /**
     * Runs {@code promql} from {@code start} to {@code end} (both inclusive) every {@code step} and hands
     * each series to {@code handler}.
     */
    public void queryRange(String promql, Instant start, Instant end, Duration step, SeriesHandler handler)
            throws ReportException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", promql);
        params.put("start", Long.toString(start.getEpochSecond()));
        params.put("end", Long.toString(end.getEpochSecond()));
        params.put("step", step.toSeconds() + "s");
        URI uri = base.resolve("api/v1/query_range?" + form(params));
        ReportException last = null;
        long backoff = FIRST_BACKOFF.toMillis();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                send(uri, promql, handler);
                return;
            } catch (Retryable e) {
                last = ReportException.failure(e.getMessage(), e.getCause());
            }
            if (attempt < ATTEMPTS) {
                pause(backoff);
                backoff *= 2;
            }
        }
        throw last;
    }

    private void send(URI uri, String promql, SeriesHandler handler) throws ReportException, Retryable {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(settings.timeout()).GET()
                .setHeader("Accept", "application/json")
                .setHeader("User-Agent", "netcost-report/" + Version.get());
        settings.headers().forEach(req::setHeader);
        authorizer.authorize("GET", uri, new byte[0], req);
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new Retryable("cannot reach Prometheus at " + displayUrl() + ": " + describe(e)
                    + "; possible fixes: check --prometheus (scheme, host, port, path prefix) and that it is running", e);
        } catch (SSLException e) {
            throw ReportException.failure("TLS with Prometheus at " + displayUrl() + " failed: " + describe(e)
                    + "; possible fixes: --tls-ca-file with the server's CA, --tls-cert-file/--tls-key-file"
                    + " for mutual TLS", e);
        } catch (HttpTimeoutException e) {
            throw new Retryable("Prometheus at " + displayUrl() + " did not answer within " + settings.timeout().toSeconds()
                    + " s; possible fixes: --timeout, or a smaller --chunk", e);
        } catch (IOException e) {
            throw new Retryable("request to Prometheus at " + displayUrl() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReportException.failure("interrupted", e);
        }
        try (InputStream body = resp.body()) {
            int status = resp.statusCode();
            if (status != 200) {
                String text = new String(body.readNBytes(MAX_ERROR_CHARS), StandardCharsets.UTF_8).strip();
                String msg = "Prometheus at " + displayUrl() + " answered HTTP " + status + " to " + promql + ": " + text;
                if (status == 401 || status == 403) {
                    authorizer.rejected();
                    throw ReportException.failure(msg + "; " + authorizer.rejectionAdvice(), null);
                }
                if (status >= 500 || status == 429) {
                    throw new Retryable(msg, null);
                }
                throw ReportException.failure(msg, null);
            }
            parse(body, handler);
        } catch (IOException e) {
            throw new Retryable("reading the answer of Prometheus at " + displayUrl() + " failed: " + describe(e), e);
        }
    }

    /** Streams {@code {"status":"success","data":{"resultType":"matrix","result":[...]}}}. */
    static void parse(InputStream body, SeriesHandler handler) throws IOException, ReportException {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            String status = null;
            String error = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "status" -> status = p.getText();
                    case "error" -> error = p.getText();
                    case "data" -> data(p, handler);
                    default -> p.skipChildren();
                }
            }
            if (!"success".equals(status)) {
                throw ReportException.failure("Prometheus answered status " + status + ": " + error, null);
            }
        }
    }

    private static void data(JsonParser p, SeriesHandler handler) throws IOException, ReportException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("resultType")) {
                if (!p.getText().equals("matrix")) {
                    throw ReportException.failure("expected a matrix from query_range, got " + p.getText(), null);
                }
            } else if (field.equals("result")) {
                expect(p.currentToken(), JsonToken.START_ARRAY);
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    series(p, handler);
                }
            } else {
                p.skipChildren();
            }
        }
    }

    private static void series(JsonParser p, SeriesHandler handler) throws IOException {
        Map<String, String> labels = new HashMap<>();
        long[] ts = new long[16];
        String[] values = new String[16];
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("metric")) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    labels.put(name, p.getText());
                }
            } else if (field.equals("values")) {
                while (p.nextToken() == JsonToken.START_ARRAY) {
                    p.nextToken();
                    double t = p.getValueAsDouble();
                    p.nextToken();
                    String v = p.getText();
                    p.nextToken();
                    if (n == ts.length) {
                        ts = java.util.Arrays.copyOf(ts, n * 2);
                        values = java.util.Arrays.copyOf(values, n * 2);
                    }
                    ts[n] = Math.round(t);
                    values[n++] = v;
                }
            } else {
                p.skipChildren();
            }
        }
        handler.series(labels, java.util.Arrays.copyOf(ts, n), java.util.Arrays.copyOf(values, n));
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("unexpected JSON from Prometheus: " + actual + " where " + expected + " was expected");
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        if (ownsAuthorizer) {
            authorizer.close();
        }
    }

    /**
     * The query string with every character but RFC 3986's unreserved ones percent-encoded (a space as
     * {@code %20}, never {@code +}): the one form that a SigV4 verifier's canonical query string equals
     * whether it decodes the query first or takes it as sent.
     */
    static String form(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(encode(k)).append('=').append(encode(v));
        });
        return sb.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A").replace("%7E", "~");
    }

    static String redact(URI uri) {
        if (uri.getUserInfo() == null) {
            return uri.toString();
        }
        return uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failure worth another try. */
    private static final class Retryable extends Exception {
        private static final long serialVersionUID = 1L;

        Retryable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
