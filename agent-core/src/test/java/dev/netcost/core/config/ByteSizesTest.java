package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "0,        0",
            "4096,     4096",
            "4096B,    4096",
            "1KiB,     1024",
            "512KiB,   524288",
            "4MiB,     4194304",
            "1GiB,     1073741824",
            "8GiB,     8589934592",
            "1KB,      1000",
            "4MB,      4000000",
            "2GB,      2000000000",
            "'4 MiB',  4194304",
            "' 64KiB ', 65536",
    })
    void parsesBinaryAndDecimalUnits(String text, long bytes) {
        assertThat(ByteSizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "MiB", "-1", "1.5MiB", "4mib", "4M", "4K", "4TiB", "4 MiB B", "0x10", "4MiBs"})
    void rejectsAnythingElse_sayingWhatIsAccepted(String text) {
        assertThatThrownBy(() -> ByteSizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining("use e.g.");
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"99999999999999999999", "9999999999GiB", "9223372036854775807KB"})
    void rejectsOverflow_withAnIllegalArgumentNamingTheText(String text) {
        assertThatThrownBy(() -> ByteSizes.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> ByteSizes.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
