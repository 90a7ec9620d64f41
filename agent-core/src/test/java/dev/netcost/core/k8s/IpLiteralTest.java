package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralTest {
    @ParameterizedTest
    @ValueSource(strings = {"10.0.1.7", "0.0.0.0", "255.255.255.255"})
    void ipv4Literals_areFourBytes(String text) throws Exception {
        assertThat(IpLiteral.parse(text)).isEqualTo(java.net.InetAddress.getByName(text).getAddress()).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fd00::1", "::", "2001:db8:0:0:0:0:0:1", "::ffff:10.0.0.1"})
    void ipv6Literals_parse(String text) {
        assertThat(IpLiteral.parse(text)).isNotNull();
    }

    /** What InetAddress.getByName accepts or resolves but is no address literal. */
    @ParameterizedTest
    @ValueSource(strings = {"10.0.0", "1", "999.1.1.1", "10.0.0.256", "10.0.0.1.", ".10.0.0.1", "10..0.1", "localhost", "a.b.c.d",
            "", "fd00::1::2", "fd00::g", "[fd00::1]", "10.0.0.1/32", " 10.0.0.1"})
    void nonLiterals_areNull(String text) {
        assertThat(IpLiteral.parse(text)).isNull();
    }
}
