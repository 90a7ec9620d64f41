package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "127.0.0.1:9808,  127.0.0.1, 9808, 127.0.0.1:9808",
            "localhost:80,    localhost, 80,   localhost:80",
            ":9808,           '',        9808, :9808",
            "0.0.0.0:0,       0.0.0.0,   0,    0.0.0.0:0",
            "[::1]:9808,      ::1,       9808, [::1]:9808",
            "[::]:65535,      ::,        65535, [::]:65535",
            "[fe80::1]:1,     fe80::1,   1,    [fe80::1]:1",
    })
    void parsesHostAndPort_andFormatsBack(String text, String host, int port, String formatted) {
        HostPort hp = HostPort.parse(text);
        assertThat(hp.host()).isEqualTo(host);
        assertThat(hp.port()).isEqualTo(port);
        assertThat(hp.toString()).isEqualTo(formatted);
        assertThat(HostPort.parse(hp.toString())).isEqualTo(hp);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "9808", "localhost", "localhost:", "localhost:http", "localhost:65536",
            "localhost:-1", "localhost:99999999999", "[::1]", "::1", "fe80::1:80"})
    void rejectsMissingOrInvalidPort(String text) {
        assertThatThrownBy(() -> HostPort.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
    }

    @Test
    void rejectsOutOfRangePortInConstructor() {
        assertThatThrownBy(() -> new HostPort("h", 70000)).hasMessageContaining("between 0 and 65535");
    }
}
