package dev.netcost.report.allocate;

import static dev.netcost.report.Scenario2048.CART;
import static dev.netcost.report.Scenario2048.CHECKOUT;
import static dev.netcost.report.Scenario2048.D1;
import static dev.netcost.report.Scenario2048.D2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.report.Scenario2048;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.PodRef;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ListPriceEstimatorTest {
    private final Measurements m = Scenario2048.measurements();
    private final Ledger l = ListPriceEstimator.estimate(m);

    private BigDecimal amount(CostType t, PodRef pod) {
        return l.podAmount(t, m.pods().indexOf(pod));
    }

    @Test
    void crossZone_isBothDirectionsTimesThePrice_perPod() {
        // D1: 2G in hour 0 + 1G in hour 1 at $0.01/GB; cart 2G; D2 1G; checkout 3G.
        assertThat(amount(CostType.CROSS_ZONE, D1)).isEqualByComparingTo("0.03");
        assertThat(amount(CostType.CROSS_ZONE, CART)).isEqualByComparingTo("0.02");
        assertThat(amount(CostType.CROSS_ZONE, D2)).isEqualByComparingTo("0.01");
        assertThat(amount(CostType.CROSS_ZONE, CHECKOUT)).isEqualByComparingTo("0.03");
    }

    @Test
    void internetEgress_isEgressOnly_andNat_isBothDirections() {
        assertThat(amount(CostType.INTERNET_EGRESS, CART)).isEqualByComparingTo("0.09");
        assertThat(amount(CostType.INTERNET_EGRESS, CHECKOUT)).isEqualByComparingTo("0.27");
        assertThat(amount(CostType.INTERNET_EGRESS, D2)).isEqualByComparingTo("0.09");
        assertThat(amount(CostType.NAT_GATEWAY, CART)).isEqualByComparingTo("0.09");     // 2G x 0.045
        assertThat(amount(CostType.NAT_GATEWAY, CHECKOUT)).isEqualByComparingTo("0.135"); // 3G x 0.045
        assertThat(amount(CostType.NAT_GATEWAY, D2)).isEqualByComparingTo("0.045");
    }

    @Test
    void theLoadBalancer_costsHourlyPlusMaxLcu_splitByLcuShare_andIdleHoursStayUnallocated() {
        // Hour 0: lcu_b = 8G / 1 GiB = 8, lcu_c = 90,000 / 90,000 = 1: 0.0225 + 8 x 0.008 = 0.0865,
        // split 3.4 : 1 : 4.6 of 9. Hours 1 and 2: the info series says it exists, no traffic: 0.0225 each.
        assertThat(amount(CostType.LOAD_BALANCER, D1).setScale(10, RoundingMode.HALF_UP))
                .isEqualByComparingTo(new BigDecimal("0.0865").multiply(new BigDecimal("3.4")).divide(new BigDecimal(9), 10, RoundingMode.HALF_UP));
        assertThat(amount(CostType.LOAD_BALANCER, D2).setScale(10, RoundingMode.HALF_UP))
                .isEqualByComparingTo(new BigDecimal("0.0865").divide(new BigDecimal(9), 10, RoundingMode.HALF_UP));
        assertThat(l.unallocated(CostType.LOAD_BALANCER).get("k8s-shared-0123456789").amount()).isEqualByComparingTo("0.045");
        assertThat(l.billed(CostType.LOAD_BALANCER).setScale(10, RoundingMode.HALF_UP)).isEqualByComparingTo("0.1315");
    }

    @Test
    void aMissingPrice_givesNoCost_andAWarning_neverAWrongZero() {
        Window w = new Window(Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-11-30T01:00:00Z"));
        Measurements.Builder b = Measurements.builder(w);
        b.podBytes(D1, "egress", "cross_zone", 0, 1000);
        Ledger none = ListPriceEstimator.estimate(b.build());
        assertThat(none.costTypes()).isEmpty();
        assertThat(none.warnings()).anySatisfy(s -> assertThat(s).contains("netcost_price_usd_per_gb{resource=\"cross_zone\"}"));
    }
}
