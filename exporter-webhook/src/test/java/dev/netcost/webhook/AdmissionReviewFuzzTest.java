package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;

/**
 * Fuzzes the review decoder and the parser behind it. Whatever the bytes, the answer is a 400 or an
 * allowed review with the request's uid, never an exception, and what was recorded can be emitted.
 *
 * <p>Under plain {@code mvn verify} this runs in regression mode over the seeds in
 * {@code AdmissionReviewFuzzTestInputs/} (real reviews); {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class AdmissionReviewFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @FuzzTest(maxDuration = "60s")
    void decodeAndRecord_neverThrows_andAlwaysAllows(byte[] body) throws IOException {
        RecordedObjects objects = new RecordedObjects(true);
        ResourceParser parser = new ResourceParser(List.of("team", "app.kubernetes.io/name"), List.of("team"));
        AdmissionHandler handler = new AdmissionHandler(parser, objects,
                new WebhookMetrics(new SimpleMeterRegistry(), objects, () -> true), Clock.systemUTC());

        WebhookResponse r = handler.handle(new ByteArrayInputStream(body));

        assertThat(r.status()).isIn(200, 400);
        if (r.status() == 200) {
            JsonNode answer = JSON.readTree(r.body());
            assertThat(answer.path("response").path("allowed").asBoolean()).isTrue();
            assertThat(answer.path("response").path("uid").asText()).isNotEmpty();
        }
        new WebhookExporter(objects, parser, null).collect((labels, value, ts) -> assertThat(value).isEqualTo(1.0));
    }
}
