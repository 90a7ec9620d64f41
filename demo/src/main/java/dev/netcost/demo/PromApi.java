package dev.netcost.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Instant queries against the demo's Prometheus ({@code /api/v1/query}). */
final class PromApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One series of an instant vector. */
    record Sample(Map<String, String> labels, double value, Instant timestamp) {
        String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    PromApi(URI base) {
        this.base = base;
    }

    URI base() {
        return base;
    }

    /** The query's instant vector at {@code at} (null: now). */
    List<Sample> query(String promql, Instant at) {
        String url = base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (at == null ? "" : "&time=" + at.getEpochSecond() + "." + String.format("%03d", at.getNano() / 1_000_000));
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode root = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !"success".equals(root.path("status").asText())) {
                throw new DemoException("Prometheus answered " + r.statusCode() + " to " + promql + ": "
                        + root.path("error").asText(r.body()));
            }
            List<Sample> out = new ArrayList<>();
            for (JsonNode s : root.path("data").path("result")) {
                Map<String, String> labels = new LinkedHashMap<>();
                s.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                JsonNode v = s.path("value");
                double ts = v.get(0).asDouble();
                out.add(new Sample(labels, Double.parseDouble(v.get(1).asText()),
                        Instant.ofEpochMilli(Math.round(ts * 1000))));
            }
            return out;
        } catch (IOException e) {
            throw new DemoException("cannot query Prometheus at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted querying Prometheus", e);
        }
    }

    /** The single value of a query that aggregates to one series, or NaN when it returns nothing. */
    double value(String promql, Instant at) {
        List<Sample> r = query(promql, at);
        return r.isEmpty() ? Double.NaN : r.get(0).value();
    }

    /** Whether Prometheus answers {@code /-/ready} with 200. */
    boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
