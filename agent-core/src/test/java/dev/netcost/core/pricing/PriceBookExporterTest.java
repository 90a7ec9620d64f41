package dev.netcost.core.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.PricingConfig;
import dev.netcost.core.model.Labels;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceBookExporterTest {
    private static Map<String, Double> collect(PricingConfig pricing) {
        Map<String, Double> out = new LinkedHashMap<>();
        PriceBookExporter e = new PriceBookExporter(pricing);
        e.collect((Labels l, double v, long ts) -> assertThat(out.put(l.toString(), v)).as("emitted twice: %s", l).isNull());
        return out;
    }

    private static PricingConfig pricing(String yaml) {
        return new ConfigLoader(Map.of("NODE_NAME", "n"), List.of()).loadString(yaml).pricing();
    }

    @Test
    void defaultBook_emitsEveryPriceOfTheContract_withItsValue() {
        double gib = 1L << 30;
        assertThat(collect(PricingConfig.DEFAULT)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("netcost_price_usd_per_gb{resource=\"cross_zone\"}", 0.01),
                Map.entry("netcost_price_usd_per_gb{resource=\"internet_egress\"}", 0.09),
                Map.entry("netcost_price_usd_per_gb{resource=\"nat_gateway\"}", 0.045),
                Map.entry("netcost_price_usd_per_hour{resource=\"nat_gateway\"}", 0.045),
                Map.entry("netcost_price_usd_per_hour{load_balancer_type=\"application\",resource=\"load_balancer\"}", 0.0225),
                Map.entry("netcost_price_usd_per_hour{load_balancer_type=\"application\",resource=\"lcu\"}", 0.008),
                Map.entry("netcost_price_usd_per_hour{load_balancer_type=\"network\",resource=\"load_balancer\"}", 0.0225),
                Map.entry("netcost_price_usd_per_hour{load_balancer_type=\"network\",resource=\"lcu\"}", 0.006),
                Map.entry("netcost_lcu_capacity_per_second{dimension=\"processed_bytes\",load_balancer_type=\"application\"}",
                        gib / 3600),
                Map.entry("netcost_lcu_capacity_per_second{dimension=\"new_connections\",load_balancer_type=\"application\"}", 25.0),
                Map.entry("netcost_lcu_capacity_per_second{dimension=\"processed_bytes\",load_balancer_type=\"network\"}",
                        gib / 3600),
                Map.entry("netcost_lcu_capacity_per_second{dimension=\"new_connections\",load_balancer_type=\"network\"}", 800.0),
                Map.entry("netcost_price_gb_bytes{}", gib)));
    }

    @Test
    void natGatewayOff_leavesBothNatPricesOut_soTheRulesRecordNoNatCost() {
        Map<String, Double> book = collect(pricing("pricing: {natGateway: {enabled: false}}"));
        assertThat(book).hasSize(11).allSatisfy((k, v) -> assertThat(k).doesNotContain("nat_gateway"));
    }

    @Test
    void processedBytesCapacity_followsGbBytesAndTheGbPerHour() {
        Map<String, Double> book = collect(pricing("pricing: {gbBytes: 1000000000, nlb: {lcuProcessedGbPerHour: 0.9}}"));
        assertThat(book.get("netcost_lcu_capacity_per_second{dimension=\"processed_bytes\",load_balancer_type=\"network\"}"))
                .isEqualTo(250_000.0); // 0.9 GB/h × 10^9 B / 3600 s
        assertThat(book.get("netcost_lcu_capacity_per_second{dimension=\"processed_bytes\",load_balancer_type=\"application\"}"))
                .isCloseTo(277_777.777_777_777_8, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(book.get("netcost_price_gb_bytes{}")).isEqualTo(1e9);
    }

    @Test
    void everyCycleEmitsTheSameBook() {
        PriceBookExporter e = new PriceBookExporter(PricingConfig.DEFAULT);
        Map<String, Double> first = new LinkedHashMap<>();
        Map<String, Double> second = new LinkedHashMap<>();
        e.collect((l, v, ts) -> first.put(l.toString(), v));
        e.collect((l, v, ts) -> second.put(l.toString(), v));
        assertThat(second).isEqualTo(first).hasSize(13);
        assertThat(e.name()).isEqualTo("pricing");
    }
}
