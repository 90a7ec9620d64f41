package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole request (connect, headers, body) runs under remoteWrite[].timeout: no peer can freeze a shard. */
class RemoteWriteDeadlineTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static List<Sample> samples(int n, long ts) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Sample(Labels.of("deadline_test", "pod", "p" + i), i, ts));
        }
        return out;
    }

    private double timedOut() {
        return meters.get("netcost.agent.remote.write.requests.timed.out").counter().count();
    }

    @ParameterizedTest
    @EnumSource(value = HostileReceiver.Mode.class, names = {"TRICKLE_BODY", "NEVER_FINISH_HEADERS", "STALL_MID_BODY"})
    void stuckResponse_isAbandonedAtTheDeadline_retried_andEverySampleDeliveredOnceTheEndpointIsHealthy(
            HostileReceiver.Mode mode) throws Exception {
        try (HostileReceiver r = new HostileReceiver(mode)) {
            RemoteWriteConfig cfg = new RemoteWriteConfig("hostile", r.url(), null, null,
                    RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(), Duration.ofMillis(400),
                    new RemoteWriteConfig.QueueConfig(10_000, 2, 100, 1 << 20, Duration.ofMillis(50),
                            Duration.ofMillis(10), Duration.ofMillis(50)));
            RemoteWriteSink sink = RemoteWriteSink.builder().config(cfg).meters(meters).build();
            try {
                sink.write(samples(40, 1000));
                // Both shards hit the hostile peer, give up at the deadline and try again, more than once.
                await().atMost(Duration.ofSeconds(30)).until(() -> timedOut() >= 4 && r.hostileAnswers() >= 4);
                assertThat(sink.pending()).isEqualTo(40);

                r.mode(HostileReceiver.Mode.HEALTHY);
                sink.write(samples(40, 2000));
                assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
                // Every abandoned request's connection was closed, not left reading (or waiting) in the background.
                await().atMost(Duration.ofSeconds(10)).until(() -> r.hostileConnectionsOpen() == 0);
            } finally {
                sink.close();
            }
            Set<String> got = new HashSet<>();
            r.delivered().forEach(w -> w.getTimeseriesList().forEach(ts -> ts.getSamplesList().forEach(
                    s -> got.add(ts.getLabelsList().toString() + "@" + s.getTimestamp()))));
            assertThat(got).hasSize(80);
            assertThat(r.samplesDelivered()).isEqualTo(80);
            assertThat(meters.get("netcost.agent.remote.write.samples.sent").counter().count()).isEqualTo(80);
        }
    }
}
