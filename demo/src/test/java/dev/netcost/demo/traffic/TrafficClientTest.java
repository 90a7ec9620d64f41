package dev.netcost.demo.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client and the server on loopback: the bytes each request carried are counted exactly. */
class TrafficClientTest {

    @Test
    void getsAndPosts_carryExactlyThePlannedPayload_oneConnectionEach() throws Exception {
        try (PodServer server = PodServer.start(new InetSocketAddress("127.0.0.1", 0), 4)) {
            TrafficJob get = new TrafficJob("get", "GET", List.of("127.0.0.1"), List.of("127.0.0.1"), server.port(),
                    "shop.example.com", 7, 70_000);
            TrafficJob post = new TrafficJob("post", "POST", List.of(), List.of("127.0.0.1"), server.port(),
                    "cart.shop.svc.cluster.local", 3, 300_000);
            Clock clock = Clock.fixed(Instant.parse("2026-12-02T14:59:59Z"), ZoneOffset.UTC);
            List<TrafficClient.Result> results = new TrafficClient(List.of(get, post), clock).run(Duration.ZERO, 3);
            assertThat(results.get(0).ok()).isEqualTo(7);
            assertThat(results.get(0).sent()).isEqualTo(get.requestBytes());
            assertThat(results.get(0).received()).isEqualTo(get.responseBytes()).isEqualTo(7L * (101 + 70_000));
            assertThat(results.get(1).ok()).isEqualTo(3);
            assertThat(results.get(1).sent()).isEqualTo(post.requestBytes()).isEqualTo(3L * (169 + 300_000));
            assertThat(results.get(1).received()).isEqualTo(post.responseBytes());
            assertThat(results.get(0).json()).contains("\"hours\":[{\"hour\":\"2026-12-02T14:00:00Z\",\"connections\":7,");
        }
    }

    @Test
    void aRefusedConnection_isAFailure_withItsReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        TrafficJob job = new TrafficJob("refused", "GET", List.of(), List.of("127.0.0.1"), closed, "x", 2, 10);
        TrafficClient.Result r = new TrafficClient(List.of(job), Clock.systemUTC()).run(Duration.ZERO, 1).get(0);
        assertThat(r.ok()).isZero();
        assertThat(r.failedCount()).isEqualTo(2);
        assertThat(r.json()).contains("\"failed\":2").contains("Connection refused");
    }

    @Test
    void schedule_interleavesJobsInProportion() {
        List<TrafficJob> jobs = List.of(job("a", 3), job("b", 7));
        int[] order = TrafficClient.schedule(jobs);
        assertThat(order).hasSize(10);
        assertThat(Arrays.stream(order).filter(j -> j == 0).count()).isEqualTo(3);
        int[] done = new int[2];
        for (int k = 0; k < order.length; k++) {
            done[order[k]]++;
            // After any prefix, each job has done its share of the requests to within one.
            for (int j = 0; j < 2; j++) {
                double expected = (k + 1) * jobs.get(j).count() / 10.0;
                assertThat(Math.abs(done[j] - expected)).as("job %d after %d", j, k + 1).isLessThanOrEqualTo(1.0);
            }
        }
    }

    @Test
    void jobs_roundTripThroughTheCommandLine() {
        TrafficJob j = new TrafficJob("alb-shop", "GET", List.of("10.0.3.50", "10.0.35.50"), List.of("10.0.2.22"), 80,
                "shop.example.com", 1000, 12288);
        assertThat(TrafficJob.parse(j.format())).isEqualTo(j);
        TrafficJob noSource = new TrafficJob("x", "POST", List.of(), List.of("10.0.34.22"), 80, "cart", 4, 1);
        assertThat(TrafficJob.parse(noSource.format())).isEqualTo(noSource);
    }

    private static TrafficJob job(String id, int count) {
        return new TrafficJob(id, "GET", List.of(), List.of("127.0.0.1"), 80, "h", count, 1);
    }
}
