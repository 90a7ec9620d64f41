package dev.netcost.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PricingConfigTest {
    private static AgentConfig load(String yaml, String... overrides) {
        ConfigLoader loader = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of());
        return overrides.length == 0 ? loader.loadString(yaml) : loader.load(null, List.of(overrides));
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> load(yaml)).problems();
    }

    @Test
    void withoutASection_theDefaultsAreUsEast1ListPrices_andTheSectionIsNotConfigured() {
        PricingConfig p = load("").pricing();
        assertThat(p).isEqualTo(PricingConfig.DEFAULT);
        assertThat(p.configured()).isFalse();
        assertThat(p.enabled()).isTrue();
        assertThat(p.gbBytes()).isEqualTo(1_073_741_824);
        assertThat(p.crossZonePerGb()).isEqualByComparingTo("0.01");
        assertThat(p.internetEgressPerGb()).isEqualByComparingTo("0.09");
        assertThat(p.natGateway()).isEqualTo(new PricingConfig.NatGateway(true, new BigDecimal("0.045"),
                new BigDecimal("0.045")));
        assertThat(p.alb()).isEqualTo(new PricingConfig.LoadBalancerPrices(new BigDecimal("0.0225"),
                new BigDecimal("0.008"), BigDecimal.ONE, new BigDecimal("25")));
        assertThat(p.nlb()).isEqualTo(new PricingConfig.LoadBalancerPrices(new BigDecimal("0.0225"),
                new BigDecimal("0.006"), BigDecimal.ONE, new BigDecimal("800")));
    }

    @Test
    void everyKeyOverrides_itsOwnPriceOnly_keepingTheDecimalExact() {
        PricingConfig p = load("""
                pricing:
                  gbBytes: 1000000000
                  crossZonePerGb: 0.02
                  internetEgressPerGb: "0.085"
                  natGateway: {perGb: 0.052, perHour: 0.059}
                  alb: {perHour: 0.02646, perLcuHour: 0.0084}
                  nlb: {lcuNewConnectionsPerSecond: 1000, lcuProcessedGbPerHour: 1.5}
                """).pricing();
        assertThat(p.configured()).isTrue();
        assertThat(p.gbBytes()).isEqualTo(1_000_000_000);
        assertThat(p.crossZonePerGb()).isEqualTo(new BigDecimal("0.02"));
        assertThat(p.internetEgressPerGb()).isEqualTo(new BigDecimal("0.085"));
        assertThat(p.natGateway().perGb()).isEqualTo(new BigDecimal("0.052"));
        assertThat(p.natGateway().perHour()).isEqualTo(new BigDecimal("0.059"));
        assertThat(p.alb().perHour()).isEqualTo(new BigDecimal("0.02646"));
        assertThat(p.alb().perLcuHour()).isEqualTo(new BigDecimal("0.0084"));
        assertThat(p.alb().lcuNewConnectionsPerSecond()).isEqualTo(PricingConfig.DEFAULT.alb().lcuNewConnectionsPerSecond());
        assertThat(p.nlb().perHour()).isEqualTo(PricingConfig.DEFAULT.nlb().perHour());
        assertThat(p.nlb().lcuNewConnectionsPerSecond()).isEqualByComparingTo("1000");
        assertThat(p.nlb().lcuProcessedGbPerHour()).isEqualByComparingTo("1.5");
    }

    @Test
    void natGatewayCanBeTurnedOff_andSetOverridesWork() {
        PricingConfig p = load(null, "pricing.natGateway.enabled=false", "pricing.alb.perHour=0.0252").pricing();
        assertThat(p.configured()).isTrue();
        assertThat(p.natGateway().enabled()).isFalse();
        assertThat(p.alb().perHour()).isEqualTo(new BigDecimal("0.0252"));
    }

    @Test
    void everyBadValue_isReportedAtOnce_withItsKey() {
        assertThat(problems("""
                pricing:
                  enabled: maybe
                  gbBytes: 0
                  crossZonePerGb: -0.01
                  internetEgressPerGb: cheap
                  natGateway: {perGb: NaN, perHour: [1]}
                  alb: {perLcuHour: true, lcuNewConnectionsPerSecond: 0, perMonth: 1}
                  nlb: {lcuProcessedGbPerHour: -1}
                  elb: {}
                """)).containsExactlyInAnyOrder(
                "pricing.enabled: must be true or false, got 'maybe'",
                "pricing.gbBytes: must be between 1 and 2147483647, got 0",
                "pricing.crossZonePerGb: must be at least 0, got -0.01",
                "pricing.internetEgressPerGb: must be a decimal number such as 0.0225, got 'cheap'",
                "pricing.natGateway.perGb: must be a decimal number such as 0.0225, got 'NaN'",
                "pricing.natGateway.perHour: must be a decimal number such as 0.0225, got '[1]'",
                "pricing.alb.perLcuHour: must be a decimal number such as 0.0225, got 'true'",
                "pricing.alb.lcuNewConnectionsPerSecond: must be greater than 0 (it is a capacity the cost rules divide by)",
                "pricing.alb.perMonth: unknown key (known keys here: perHour, perLcuHour, lcuProcessedGbPerHour,"
                        + " lcuNewConnectionsPerSecond)",
                "pricing.nlb.lcuProcessedGbPerHour: must be at least 0, got -1",
                "pricing.elb: unknown key (known keys here: enabled, gbBytes, crossZonePerGb, internetEgressPerGb,"
                        + " natGateway, alb, nlb)");
    }

    @Test
    void podLabelKeys_areRead_andCollidingOrEmptyKeysRejected() {
        assertThat(load("labels: {pod: [team, app.kubernetes.io/name]}").labels().pod())
                .containsExactly("team", "app.kubernetes.io/name");
        assertThat(load("").labels()).isEqualTo(LabelsConfig.DEFAULT);
        assertThat(problems("labels: {pod: [app.kubernetes.io/name, app_kubernetes_io/name, ''], node: [x]}"))
                .containsExactlyInAnyOrder(
                        "labels.pod: 'app.kubernetes.io/name' and 'app_kubernetes_io/name' both become the label"
                                + " label_app_kubernetes_io_name; keep one of them",
                        "labels.pod: contains an empty label key",
                        "labels.node: unknown key (known keys here: pod)");
    }

    @Test
    void theDocumentedCompleteExample_holdsTheDefaultPriceBook() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "configuration.md"));
        int section = doc.indexOf("## Complete example");
        int start = doc.indexOf("```yaml\n", section) + "```yaml\n".length();
        String example = doc.substring(start, doc.indexOf("```\n", start));
        AgentConfig c = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString(example);
        assertThat(c.pricing()).usingRecursiveComparison().ignoringFields("configured")
                .withComparatorForType(BigDecimal::compareTo, BigDecimal.class).isEqualTo(PricingConfig.DEFAULT);
        assertThat(c.labels()).isEqualTo(LabelsConfig.DEFAULT);
    }

    @Test
    void effectiveConfig_rendersThePriceBook_soThatTheLoaderAcceptsItBack() {
        AgentConfig c = load("pricing: {crossZonePerGb: 0.02, natGateway: {enabled: false}}\nlabels: {pod: [team]}");
        String text = EffectiveConfig.render(c);
        assertThat(text).contains("crossZonePerGb: 0.02").doesNotContain("configured");
        AgentConfig again = load(text);
        assertThat(again.pricing().crossZonePerGb()).isEqualByComparingTo("0.02");
        assertThat(again.pricing().natGateway().enabled()).isFalse();
        assertThat(again.labels()).isEqualTo(c.labels());
    }
}
