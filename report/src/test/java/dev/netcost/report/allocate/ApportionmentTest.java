package dev.netcost.report.allocate;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApportionmentTest {

    @Test
    void roundedRowsAddUpToTheirType_andTypesToTheRoundedGrandTotal() {
        Map<String, List<BigDecimal>> exact = new LinkedHashMap<>();
        exact.put("a", List.of(new BigDecimal("0.3333"), new BigDecimal("0.3333"), new BigDecimal("0.3334")));
        exact.put("b", List.of(new BigDecimal("0.004"), new BigDecimal("0.004")));
        Apportionment.Result<String> r = Apportionment.round(exact, 2);
        // Grand total 1.008 -> 1.01; types 1.0000 and 0.008 round down to 1.00 + 0.00, the missing cent goes to
        // the larger remainder (b's 0.008) -> 1.00 and 0.01.
        assertThat(r.total()).isEqualByComparingTo("1.01");
        assertThat(r.totals()).containsEntry("a", new BigDecimal("1.00")).containsEntry("b", new BigDecimal("0.01"));
        assertThat(r.rows().get("a")).containsExactly(new BigDecimal("0.33"), new BigDecimal("0.33"), new BigDecimal("0.34"));
        assertThat(r.rows().get("b")).containsExactly(new BigDecimal("0.01"), new BigDecimal("0.00"));
    }

    @Test
    void exactAmountsAtThePrecision_stayAsTheyAre() {
        Map<String, List<BigDecimal>> exact = Map.of("x", List.of(new BigDecimal("0.0410"), new BigDecimal("0.0050")));
        Apportionment.Result<String> r = Apportionment.round(exact, 4);
        assertThat(r.rows().get("x")).containsExactly(new BigDecimal("0.0410"), new BigDecimal("0.0050"));
        assertThat(r.total()).isEqualByComparingTo("0.0460");
    }

    @Test
    void allZero_staysZero() {
        Apportionment.Result<String> r = Apportionment.round(Map.of("x", List.of(BigDecimal.ZERO, BigDecimal.ZERO)), 2);
        assertThat(r.rows().get("x")).containsExactly(new BigDecimal("0.00"), new BigDecimal("0.00"));
        assertThat(r.total()).isEqualByComparingTo("0");
    }
}
