package dev.netcost.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real single-node VictoriaMetrics ({@code /usr/bin/victoria-metrics}, the Debian package) on a
 * free loopback port, with its storage in a temp directory that {@link #close()} deletes.
 *
 * <p>Started with {@code -search.latencyOffset=0s} (the default 30 s hides points younger than
 * that from queries) and {@code -search.disableCache}. Ingested rows are buffered for about a
 * second; every {@link #queries()} call runs {@link #forceFlush()} first.
 */
public final class VictoriaMetricsProcess extends ServerBackedReceiver {

    static final Path BINARY = Path.of("/usr/bin/victoria-metrics");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private VictoriaMetricsProcess(ServerProcess server) {
        super(server, PromQueryClient.forBaseUrl(server.baseUrl(), () -> forceFlush(server.baseUrl())));
    }

    /** Starts VictoriaMetrics and returns once {@code /health} answers 200 (at most 30 s). */
    public static VictoriaMetricsProcess start() {
        return new VictoriaMetricsProcess(ServerProcess.start("victoria-metrics", BINARY, (port, dir) -> List.of(
                "-httpListenAddr=127.0.0.1:" + port,
                "-storageDataPath=" + dir.resolve("data"),
                "-retentionPeriod=1",
                "-search.latencyOffset=0s",
                "-search.disableCache",
                // Its own caches size from system memory; several test servers share the machine.
                "-memory.allowedBytes=256MiB"), "/health"));
    }

    /** {@code GET /internal/force_flush}: makes every row ingested so far visible to queries. */
    public void forceFlush() {
        forceFlush(server.baseUrl());
    }

    private static void forceFlush(URI baseUrl) {
        URI uri = baseUrl.resolve("internal/force_flush");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + ": HTTP " + response.statusCode() + " "
                        + Truncate.body(response.body()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }









}
