package dev.netcost.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.netcost.core.remotewrite.prompb.Remote;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real remote-write receiver, which the test can take down
 * (every request answered 503, as a load balancer with no healthy backend does). It records, in
 * arrival order, the values of {@code netcost_test_cycle} in every request the receiver accepted.
 */
final class RecordingProxy implements AutoCloseable {
    private final HttpServer server;
    private final URI backend;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Long> accepted = new ArrayList<>();
    private volatile boolean down;

    RecordingProxy(URI backend) throws IOException {
        this.backend = backend;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write");
    }

    void down(boolean down) {
        this.down = down;
    }

    synchronized List<Long> accepted() {
        return List.copyOf(accepted);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        int status;
        byte[] answer = new byte[0];
        if (down) {
            status = 503;
        } else {
            HttpRequest.Builder req = HttpRequest.newBuilder(backend).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : List.of("Content-Encoding", "Content-Type", "X-Prometheus-Remote-Write-Version")) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    req.header(h, v);
                }
            }
            try {
                HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = r.statusCode();
                answer = r.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = 503;
            } catch (IOException e) {
                status = 502;
            }
            if (status / 100 == 2) {
                record(body);
            }
        }
        ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            ex.getResponseBody().write(answer);
        }
        ex.close();
    }

    private synchronized void record(byte[] body) throws IOException {
        Remote.WriteRequest wr = Remote.WriteRequest.parseFrom(Snappy.uncompress(body));
        for (Remote.TimeSeries ts : wr.getTimeseriesList()) {
            boolean cycle = ts.getLabelsList().stream()
                    .anyMatch(l -> l.getName().equals("__name__") && l.getValue().equals("netcost_test_cycle"));
            if (cycle) {
                for (Remote.Sample s : ts.getSamplesList()) {
                    accepted.add((long) s.getValue());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
