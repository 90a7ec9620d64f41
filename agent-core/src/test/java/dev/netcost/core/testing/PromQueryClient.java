package dev.netcost.core.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Reads back what a test wrote, through the Prometheus HTTP API that both Prometheus and
 * VictoriaMetrics serve. Every call first runs the server's flush hook (VictoriaMetrics buffers
 * ingested rows), so a query sees everything that was acknowledged before it.
 */
public final class PromQueryClient {

    /** How long the {@code await*} overloads without a timeout wait. */
    public static final Duration DEFAULT_AWAIT_TIMEOUT = Duration.ofSeconds(15);

    private static final Duration POLL_PAUSE = Duration.ofMillis(50);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final URI baseUrl;
    private final Runnable beforeQuery;
    private final HttpClient http;

    private PromQueryClient(URI baseUrl, Runnable beforeQuery) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        this.beforeQuery = Objects.requireNonNull(beforeQuery, "beforeQuery");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** A client for any server serving the Prometheus HTTP API under {@code baseUrl}. */
    public static PromQueryClient forBaseUrl(URI baseUrl) {
        return new PromQueryClient(baseUrl, () -> {});
    }

    static PromQueryClient forBaseUrl(URI baseUrl, Runnable beforeQuery) {
        return new PromQueryClient(baseUrl, beforeQuery);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /**
     * {@code /api/v1/query} at {@code time}. An instant vector gives one series per result with one
     * point (at {@code time}); a scalar gives one series without labels; a matrix (a range selector)
     * gives every raw point in the range, except stale markers, which neither server returns.
     */
    public List<QueriedSeries> query(String promql, Instant time) {
        Objects.requireNonNull(promql, "promql");
        Objects.requireNonNull(time, "time");
        JsonNode data = call("api/v1/query", Map.of("query", promql, "time", seconds(time)));
        return parseResult(data);
    }

    /**
     * Every raw point of the series matching {@code selector} with {@code from <= timestamp <= to},
     * fetched as the range selector {@code selector[to - from]} evaluated at {@code to}.
     * {@code selector} must be a plain series selector such as {@code foo{job="x"}}.
     */
    public List<QueriedSeries> rawSamples(String selector, Instant from, Instant to) {
        Objects.requireNonNull(selector, "selector");
        long fromMillis = from.toEpochMilli();
        long toMillis = to.toEpochMilli();
        if (toMillis < fromMillis) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        // One extra millisecond: Prometheus 2.x includes the left edge of a range, VictoriaMetrics not.
        long windowMillis = toMillis - fromMillis + 1;
        List<QueriedSeries> result = query(selector + "[" + windowMillis + "ms]", to);
        List<QueriedSeries> inRange = new ArrayList<>(result.size());
        for (QueriedSeries series : result) {
            List<QueriedSample> kept = series.samples().stream()
                    .filter(s -> s.timestampMillis() >= fromMillis && s.timestampMillis() <= toMillis)
                    .toList();
            if (!kept.isEmpty()) {
                inRange.add(new QueriedSeries(series.labels(), kept));
            }
        }
        return Collections.unmodifiableList(inRange);
    }

    /** {@code /api/v1/series}: the label sets of the series matching {@code matcher} in the range. */
    public List<Map<String, String>> series(String matcher, Instant from, Instant to) {
        Objects.requireNonNull(matcher, "matcher");
        JsonNode data = call("api/v1/series", Map.of("match[]", matcher, "start", seconds(from), "end", seconds(to)));
        List<Map<String, String>> result = new ArrayList<>();
        for (JsonNode labels : data) {
            result.add(labels(labels));
        }
        return Collections.unmodifiableList(result);
    }

    /** Polls {@link #query} at {@code time} until {@code condition} holds; see {@link #await}. */
    public List<QueriedSeries> awaitQuery(
            String promql, Instant time, Predicate<? super List<QueriedSeries>> condition, Duration timeout) {
        return await("query " + promql + " at " + time, () -> query(promql, time), condition, timeout);
    }

    public List<QueriedSeries> awaitQuery(
            String promql, Instant time, Predicate<? super List<QueriedSeries>> condition) {
        return awaitQuery(promql, time, condition, DEFAULT_AWAIT_TIMEOUT);
    }

    /**
     * Polls {@link #query} evaluated at the current time of each poll, for data written by code
     * whose timestamps the test does not know.
     */
    public List<QueriedSeries> awaitQuery(String promql, Predicate<? super List<QueriedSeries>> condition) {
        return await("query " + promql + " at now", () -> query(promql, Instant.now()), condition,
                DEFAULT_AWAIT_TIMEOUT);
    }

    /** Polls {@link #rawSamples} until {@code condition} holds; see {@link #await}. */
    public List<QueriedSeries> awaitRawSamples(String selector, Instant from, Instant to,
            Predicate<? super List<QueriedSeries>> condition, Duration timeout) {
        return await("raw samples of " + selector + " in [" + from + ", " + to + "]",
                () -> rawSamples(selector, from, to), condition, timeout);
    }

    public List<QueriedSeries> awaitRawSamples(
            String selector, Instant from, Instant to, Predicate<? super List<QueriedSeries>> condition) {
        return awaitRawSamples(selector, from, to, condition, DEFAULT_AWAIT_TIMEOUT);
    }

    /**
     * Calls {@code probe} until its result satisfies {@code condition}, pausing briefly between
     * calls, and returns that result. A probe that throws counts as not yet satisfied. After
     * {@code timeout} fails with an {@link AssertionError} naming the last result or exception.
     */
    public static <T> T await(
            String description, Supplier<T> probe, Predicate<? super T> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int polls = 0;
        T last = null;
        RuntimeException lastError = null;
        while (true) {
            polls++;
            try {
                last = probe.get();
                lastError = null;
                if (condition.test(last)) {
                    return last;
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() - deadline > 0) {
                String lastSeen = lastError != null ? "last attempt failed: " + lastError : "last result: " + last;
                throw new AssertionError(description + ": condition not met within " + timeout.toMillis()
                        + " ms (" + polls + " polls); " + lastSeen, lastError);
            }
            ServerProcess.pause(POLL_PAUSE);
        }
    }

    private JsonNode call(String path, Map<String, String> form) {
        beforeQuery.run();
        URI uri = baseUrl.resolve(path);
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(form).entrySet()) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + uri + " " + form + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during POST " + uri, e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + uri + " " + form + ": HTTP " + response.statusCode()
                    + ", body is not JSON: " + Truncate.body(response.body()), e);
        }
        if (response.statusCode() != 200 || !"success".equals(root.path("status").asText())) {
            throw new IllegalStateException("POST " + uri + " " + form + ": HTTP " + response.statusCode()
                    + " " + root.path("errorType").asText() + ": " + Truncate.body(root.path("error").asText(
                            response.body())));
        }
        return root.path("data");
    }

    // VisibleForTesting
    static List<QueriedSeries> parseResult(JsonNode data) {
        String type = data.path("resultType").asText();
        JsonNode result = data.path("result");
        List<QueriedSeries> series = new ArrayList<>();
        switch (type) {
            case "vector" -> {
                for (JsonNode r : result) {
                    series.add(new QueriedSeries(labels(r.path("metric")), List.of(point(r.path("value")))));
                }
            }
            case "matrix" -> {
                for (JsonNode r : result) {
                    List<QueriedSample> points = new ArrayList<>();
                    for (JsonNode p : r.path("values")) {
                        points.add(point(p));
                    }
                    series.add(new QueriedSeries(labels(r.path("metric")), points));
                }
            }
            case "scalar" -> series.add(new QueriedSeries(Map.of(), List.of(point(result))));
            default -> throw new IllegalStateException("unsupported resultType '" + type + "' in " + data);
        }
        return Collections.unmodifiableList(series);
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : metric.properties()) {
            labels.put(e.getKey(), e.getValue().asText());
        }
        return labels;
    }

    /** A {@code [<seconds as a JSON number>, "<value as a string>"]} pair. */
    private static QueriedSample point(JsonNode pair) {
        if (!pair.isArray() || pair.size() != 2) {
            throw new IllegalStateException("expected [timestamp, \"value\"], got " + pair);
        }
        long millis = pair.get(0).decimalValue().movePointRight(3).setScale(0, RoundingMode.HALF_EVEN)
                .longValueExact();
        return new QueriedSample(millis, parseValue(pair.get(1).asText()));
    }

    // VisibleForTesting
    static double parseValue(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** Seconds with millisecond precision, the API's time format. */
    static String seconds(Instant time) {
        return BigDecimal.valueOf(time.toEpochMilli(), 3).toPlainString();
    }
}
