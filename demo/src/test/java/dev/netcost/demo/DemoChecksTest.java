package dev.netcost.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.demo.DemoChecks.Check;
import dev.netcost.demo.DemoChecks.RuleSnapshot;
import dev.netcost.report.allocate.CostType;
import dev.netcost.report.measure.Window;
import dev.netcost.report.output.Report;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DemoChecksTest {
    private static final Window WINDOW = new Window(Instant.parse("2026-12-02T14:00:00Z"), Instant.parse("2026-12-02T15:00:00Z"));

    private static Report report(List<Report.Row> rows, Report.Totals totals, List<Report.LoadBalancerSplit> lbs) {
        return new Report(WINDOW, "namespace", "cur", 6, rows, totals, List.of(), List.of(), lbs, List.of(), List.of(),
                List.of(), Instant.EPOCH);
    }

    private static Report.Row row(String group, CostType type, String usd) {
        return new Report.Row(group, type, null, new BigDecimal(usd), new BigDecimal(usd), List.of());
    }

    @Test
    void bytes_mustBeAtLeastThePayload_andAtMostTenPerCentMore() {
        assertThat(DemoChecks.bytesWithin("f", 1000, 1000).passed()).isTrue();
        assertThat(DemoChecks.bytesWithin("f", 1100, 1000).passed()).isTrue();
        assertThat(DemoChecks.bytesWithin("f", 999, 1000).passed()).isFalse();
        assertThat(DemoChecks.bytesWithin("f", 1101, 1000).passed()).isFalse();
        assertThat(DemoChecks.bytesWithin("f", Double.NaN, 1000).passed()).isFalse();
        assertThat(DemoChecks.exactly("c", 430, 430).passed()).isTrue();
        assertThat(DemoChecks.exactly("c", 431, 430).passed()).isFalse();
    }

    @Test
    void albSplit_isAmongTheTeams_leavingAnIdleHourOut() {
        // 0.0225 of an idle hour unallocated; the teams share the rest 60/40.
        Report.LoadBalancerSplit lb = new Report.LoadBalancerSplit("alb", new BigDecimal("0.0475"), List.of(
                new Report.Share("games", new BigDecimal("0.015"), new BigDecimal("0.3157894737")),
                new Report.Share("shop", new BigDecimal("0.01"), new BigDecimal("0.2105263158")),
                new Report.Share("unallocated", new BigDecimal("0.0225"), new BigDecimal("0.4736842105"))));
        Report r = report(List.of(), null, List.of(lb));
        assertThat(DemoChecks.teamShares(r, "alb").get("games").doubleValue()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
        List<Check> ok = DemoChecks.albSplit(r, "alb", List.of(
                new DemoPlan.AlbShare("games", BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.58")),
                new DemoPlan.AlbShare("shop", BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.42"))));
        assertThat(ok).allMatch(Check::passed);
        List<Check> off = DemoChecks.albSplit(r, "alb", List.of(
                new DemoPlan.AlbShare("games", BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.5"))));
        assertThat(off).noneMatch(Check::passed);
        assertThat(DemoChecks.albSplit(r, "other-alb", List.of(
                new DemoPlan.AlbShare("games", BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.6"))))).noneMatch(Check::passed);
    }

    @Test
    void bill_mustBeReadWhole_andAllocatedPlusUnallocatedMustBeTheBilled() {
        Report.Totals good = new Report.Totals(List.of(new Report.CostTypeTotal(CostType.NAT_GATEWAY, new BigDecimal("0.05"),
                new BigDecimal("0.03"), new BigDecimal("0.02"))), new BigDecimal("0.05"), new BigDecimal("0.03"),
                new BigDecimal("0.02"), new BigDecimal("0.0500000001"));
        assertThat(DemoChecks.bill(report(List.of(), good, List.of()), new BigDecimal("0.0500000001"))).allMatch(Check::passed);
        assertThat(DemoChecks.bill(report(List.of(), good, List.of()), new BigDecimal("0.0500000002")))
                .filteredOn(c -> c.name().contains("whole")).noneMatch(Check::passed);
        Report.Totals lost = new Report.Totals(List.of(), new BigDecimal("0.05"), new BigDecimal("0.03"),
                new BigDecimal("0.01"), new BigDecimal("0.05"));
        assertThat(DemoChecks.bill(report(List.of(), lost, List.of()), new BigDecimal("0.05")))
                .filteredOn(c -> c.name().contains("to the cent")).noneMatch(Check::passed);
    }

    @Test
    void rules_giveTheReportsDollars_fromTheirRatesOverFiveMinutes() {
        // Per-GB types: $/h x 300/3600. ALB: games has 60 % of its $0.06/h; the hour costs 0.0225 + LCUs
        // 0.3 x 300/3600 x 0.008: 0.6 x (0.0225 + 0.0002) = 0.01362.
        RuleSnapshot rules = new RuleSnapshot(Map.of("games", Map.of(CostType.NAT_GATEWAY, 0.12, CostType.CROSS_ZONE, 0.0)),
                0.3, 0.06, Map.of("games", 0.036), 0.0225, 0.008, 1);
        assertThat(rules.expected("games", CostType.NAT_GATEWAY)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rules.expected("games", CostType.LOAD_BALANCER)).isCloseTo(0.01362, org.assertj.core.data.Offset.offset(1e-12));
        Report agreeing = report(List.of(row("games", CostType.NAT_GATEWAY, "0.01005"), row("games", CostType.LOAD_BALANCER,
                "0.01362"), row("unallocated:alb", CostType.LOAD_BALANCER, "0.0225")), null, List.of());
        // The unallocated row is the report's own; a cost type the rules record as a true 0 needs no report row.
        assertThat(DemoChecks.rules(agreeing, rules)).hasSize(3).allMatch(Check::passed);
        Report off = report(List.of(row("games", CostType.NAT_GATEWAY, "0.011"), row("games", CostType.LOAD_BALANCER,
                "0.01362"), row("shop", CostType.INTERNET_EGRESS, "0.001")), null, List.of());
        assertThat(DemoChecks.rules(off, rules)).filteredOn(c -> !c.passed()).extracting(Check::name)
                .anyMatch(n -> n.contains("games nat_gateway")).anyMatch(n -> n.contains("shop internet_egress"))
                .anyMatch(n -> n.contains("total"));
    }

    @Test
    void leftovers_failForEachThingLeftBehind() {
        assertThat(DemoChecks.leftovers(List.of(), List.of(), false, "t", "t")).allMatch(Check::passed);
        assertThat(DemoChecks.leftovers(List.of("ncd1-vpc"), List.of(42L), true, "t", "t\ntable inet netcost"))
                .noneMatch(Check::passed);
    }
}
