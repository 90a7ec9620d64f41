package dev.netcost.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netcost.demo.DemoPlan.AlbShare;
import dev.netcost.demo.DemoPlan.Flow;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DemoPlanTest {

    @Test
    void albSplit_weighsBytesAndConnectionsByTheLcusTheyMake_soItLiesBetweenTheByteAndConnectionRatios() {
        List<AlbShare> shares = DemoPlan.albShares();
        assertThat(shares).extracting(AlbShare::team).containsExactly("games", "shop");
        AlbShare games = shares.get(0);
        AlbShare shop = shares.get(1);
        // games: 430 GETs (98-byte heads) answered with 101-byte heads and 64 KiB: 28,266,050 bytes of 40,753,050;
        // shop: 1,000 GETs answered with 12 KiB: 12,487,000 bytes.
        assertThat(games.connections()).isEqualByComparingTo(BigDecimal.valueOf(430).divide(BigDecimal.valueOf(1430),
                MathContext.DECIMAL64));
        assertThat(games.bytes()).isEqualByComparingTo(new BigDecimal(28_266_050).divide(new BigDecimal(40_753_050),
                MathContext.DECIMAL64));
        // LCU-hours: games 28,266,050 B / 2^30 + 430 / 90,000 = 0.026325 + 0.004778 = 0.031103;
        // shop 12,487,000 / 2^30 + 1,000 / 90,000 = 0.011629 + 0.011111 = 0.022740; games' share 0.031103 / 0.053843.
        assertThat(games.lcu().doubleValue()).isCloseTo(0.5777, Offset.offset(0.0002));
        assertThat(games.lcu().add(shop.lcu())).isCloseTo(BigDecimal.ONE, Offset.offset(new BigDecimal("1e-12")));
        assertThat(games.lcu()).isLessThan(games.bytes()).isGreaterThan(games.connections());
    }

    @Test
    void planJson_sumsTheFlowsPerNamespace_beforeAnythingIsSent() {
        JsonNode plan = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(DemoPlan.json());
        long albBytes = DemoPlan.FLOWS.stream().filter(f -> f.kind() == DemoPlan.Kind.ALB && f.namespace().equals("shop"))
                .mapToLong(Flow::payload).sum();
        JsonNode shop = plan.get("namespaces").get("shop");
        assertThat(shop.get("team").asText()).isEqualTo("shop");
        assertThat(shop.get("load_balancer").get("bytes").asLong()).isEqualTo(albBytes).isEqualTo(1000L * (98 + 101 + 12288));
        assertThat(shop.get("load_balancer").get("new_connections").asLong()).isEqualTo(1000);
        // 4 POSTs of 2 MiB with 170-byte heads, each answered by a 46-byte 204.
        assertThat(shop.get("cross_zone_bytes").asLong()).isEqualTo(4L * (170 + 2 * 1024 * 1024 + 46));
        assertThat(plan.get("namespaces").get("game-2048").get("internet_bytes").get("ingress").asLong())
                .isEqualTo(3L * (103 + 1024 * 1024));
        assertThat(plan.get("flows")).hasSize(DemoPlan.FLOWS.size());
        assertThat(plan.get("alb_split_planned").get(0).get("lcu_share").decimalValue()).isEqualByComparingTo("0.5777");
    }

    @Test
    void traffic_waitsForTheNextHour_onlyWhenItWouldNotEndInThisOne() {
        Duration needed = DemoPlan.TRAFFIC_DURATION.plus(DemoPlan.TRAFFIC_MARGIN);
        Instant hour = Instant.parse("2026-12-02T14:00:00Z");
        assertThat(DemoPlan.delayBeforeTraffic(hour)).isZero();
        assertThat(DemoPlan.delayBeforeTraffic(hour.plus(Duration.ofHours(1)).minus(needed))).isZero();
        Instant late = hour.plus(Duration.ofHours(1)).minus(needed).plusMillis(1);
        assertThat(DemoPlan.delayBeforeTraffic(late)).isEqualTo(needed.minusMillis(1).plusSeconds(5));
        assertThat(late.plus(DemoPlan.delayBeforeTraffic(late))).isEqualTo(Instant.parse("2026-12-02T15:00:05Z"));
    }
}
