package dev.netcost.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PromQueryClientTest {

    @Test
    void parsesSpecialValues_asTheApiSpellsThem() {
        assertThat(PromQueryClient.parseValue("NaN")).isNaN();
        assertThat(PromQueryClient.parseValue("+Inf")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(PromQueryClient.parseValue("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(PromQueryClient.parseValue("-0.5e-7")).isEqualTo(-0.5e-7);
    }

    @Test
    void formatsTimes_asSecondsWithMilliseconds() {
        assertThat(PromQueryClient.seconds(Instant.ofEpochMilli(1_700_000_000_007L))).isEqualTo("1700000000.007");
        assertThat(PromQueryClient.seconds(Instant.ofEpochMilli(1_700_000_000_000L))).isEqualTo("1700000000.000");
    }

    @Test
    void parsesVector_withExactMillisecondTimestamps() throws Exception {
        List<QueriedSeries> result = parse("""
                {"resultType":"vector","result":[
                  {"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"+Inf"]},
                  {"metric":{"job":"b"},"value":[1700000000.9,"1.5"]}]}""");
        assertThat(result).containsExactly(
                new QueriedSeries(Map.of("__name__", "up", "job", "a"),
                        List.of(new QueriedSample(1_700_000_000_123L, Double.POSITIVE_INFINITY))),
                new QueriedSeries(Map.of("job", "b"), List.of(new QueriedSample(1_700_000_000_900L, 1.5))));
        assertThat(result.get(0).name()).isEqualTo("up");
        assertThat(result.get(0).labelsWithoutName()).isEqualTo(Map.of("job", "a"));
    }

    @Test
    void parsesMatrix_everyPoint() throws Exception {
        List<QueriedSeries> result = parse("""
                {"resultType":"matrix","result":[
                  {"metric":{"__name__":"x"},"values":[[1700000000,"NaN"],[1700000001.001,"-Inf"]]}]}""");
        assertThat(result).containsExactly(new QueriedSeries(Map.of("__name__", "x"), List.of(
                new QueriedSample(1_700_000_000_000L, Double.NaN),
                new QueriedSample(1_700_000_001_001L, Double.NEGATIVE_INFINITY))));
        assertThatThrownBy(() -> result.get(0).value()).hasMessageContaining("exactly one point");
    }

    @Test
    void parsesScalar_asOneSeriesWithoutLabels() throws Exception {
        assertThat(parse("{\"resultType\":\"scalar\",\"result\":[1700000000.5,\"2\"]}"))
                .containsExactly(new QueriedSeries(Map.of(), List.of(new QueriedSample(1_700_000_000_500L, 2))));
    }

    @Test
    void rejectsStringResults() {
        assertThatThrownBy(() -> parse("{\"resultType\":\"string\",\"result\":[1700000000,\"s\"]}"))
                .hasMessageContaining("unsupported resultType 'string'");
    }

    @Test
    void await_returnsTheFirstResultThatHolds_andSurvivesProbeFailures() {
        AtomicInteger calls = new AtomicInteger();
        int result = PromQueryClient.await("counter", () -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                throw new IllegalStateException("not up yet");
            }
            return n;
        }, n -> n >= 3, Duration.ofSeconds(5));
        assertThat(result).isEqualTo(3);
    }

    @Test
    void await_failsAfterTheTimeout_withTheLastResult() {
        assertThatThrownBy(() -> PromQueryClient.await("always empty", List::of, r -> !r.isEmpty(),
                        Duration.ofMillis(120)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("always empty: condition not met within 120 ms")
                .hasMessageContaining("last result: []");
    }

    private static List<QueriedSeries> parse(String json) throws Exception {
        return PromQueryClient.parseResult(PromQueryClient.JSON.readTree(json));
    }
}
