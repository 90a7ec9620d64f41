package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} = {1}ms")
    @CsvSource({
            "0s,          0",
            "0ms,         0",
            "1ms,         1",
            "500ms,       500",
            "15s,         15000",
            "1m,          60000",
            "1m30s,       90000",
            "2h,          7200000",
            "1d,          86400000",
            "1h1m1s1ms,   3661001",
            "90s,         90000",
            "1000ms,      1000",
    })
    void parsesPrometheusStyleDurations(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"15", "s", "1.5s", "-1s", "15 s", " 15s", "15S", "1y", "1w", "15sec", "1m30", "ms15",
            "PT15S"})
    void rejectsAnythingElse_sayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("use e.g.");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"99999999999999999999s", "9999999999999999d", "9223372036854775807d", "9223372036854775807s"})
    void rejectsOverflow_withAnIllegalArgumentNamingTheText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsEmptyOrNullText() {
        assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}ms -> {1}")
    @CsvSource({
            "0,        0s",
            "1,        1ms",
            "999,      999ms",
            "1000,     1s",
            "1500,     1500ms",
            "15000,    15s",
            "60000,    1m",
            "90000,    90s",
            "3600000,  1h",
            "5400000,  90m",
            "86400000, 24h",
            "3661001,  3661001ms",
    })
    void formatsWithTheLargestWholeUnit_andParsesBack(long millis, String text) {
        Duration d = Duration.ofMillis(millis);
        assertThat(Durations.format(d)).isEqualTo(text);
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
