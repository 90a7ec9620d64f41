package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.testing.ManualClock;
import dev.netcost.core.testing.TestCertificates;
import dev.netcost.webhook.WebhookExporterFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook process assembled in this JVM: its liveness, judged on the replica that runs cycles. */
class WebhookAgentTest {
    @TempDir
    Path tmp;

    @Test
    void aLeaderWhoseCyclesStop_isNotLive() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("tls")));
        // One cycle at start, the next an hour later: in between, the manual clock makes the first one old.
        AgentConfig config = new ConfigLoader(Map.of(), List.of(new WebhookExporterFactory())).loadString("""
                nodeName: webhook-node
                interval: 1h
                kubernetes: {enabled: false}
                debug: {enabled: false}
                localFile: {path: %s}
                webhook:
                  listen: "127.0.0.1:0"
                  tlsCertFile: %s
                  tlsKeyFile: %s
                """.formatted(tmp.resolve("samples.prom"), certs.serverCert(), certs.serverKey()));
        ManualClock clock = new ManualClock(Instant.now());
        try (WebhookAgent agent = new WebhookAgent(config, new WebhookExporterFactory(), clock)) {
            agent.start();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(tmp.resolve("samples.prom")));
            assertThat(agent.liveness()).as("the first cycle just completed").isNull();

            clock.advance(Duration.ofHours(4)); // past 3 intervals + exporterTimeout, with no cycle completed
            assertThat(agent.liveness()).contains("no collection cycle has completed");
        }
    }
}
