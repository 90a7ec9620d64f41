package dev.netcost.demo.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpMessagesTest {

    @Test
    void messages_areExactlyTheBytesThePlanCounts() {
        assertThat(new String(HttpMessages.getRequest("shop.example.com", 12288), StandardCharsets.US_ASCII))
                .isEqualTo("GET /bytes/12288 HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: netcost-demo\r\n"
                        + "Connection: close\r\n\r\n");
        assertThat(HttpMessages.requestBytes("GET", "shop.example.com", 12288)).isEqualTo(98);
        assertThat(HttpMessages.responseBytes("GET", 12288)).isEqualTo(101 + 12288);
        assertThat(HttpMessages.requestBytes("POST", "cart.shop.svc.cluster.local", 2 << 20)).isEqualTo(170 + (2 << 20));
        assertThat(HttpMessages.responseBytes("POST", 2 << 20)).isEqualTo(46);
    }
}
