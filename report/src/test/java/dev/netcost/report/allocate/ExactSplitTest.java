package dev.netcost.report.allocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExactSplitTest {

    private static BigDecimal[] d(String... values) {
        return Arrays.stream(values).map(BigDecimal::new).toArray(BigDecimal[]::new);
    }

    @Test
    void splitsInProportion_whenTheQuotientsAreExact() {
        assertThat(ExactSplit.split(new BigDecimal("0.04"), d("1", "3"), 2)).containsExactly(d("0.01", "0.03"));
    }

    @Test
    void givesTheLeftoverCentToTheLargestRemainder_soThePartsAddUp() {
        // 0.10 / 3 = 0.0333.. each: floors 0.03 x 3 = 0.09, one cent left, to the first of the equal remainders.
        assertThat(ExactSplit.split(new BigDecimal("0.10"), d("1", "1", "1"), 2)).containsExactly(d("0.04", "0.03", "0.03"));
        // 1.00 by 1:2 = 0.333.. / 0.666..: the larger remainder (0.666) gets the cent.
        assertThat(ExactSplit.split(new BigDecimal("1.00"), d("1", "2"), 2)).containsExactly(d("0.33", "0.67"));
    }

    @Test
    void zeroWeights_getNothing() {
        assertThat(ExactSplit.split(new BigDecimal("0.05"), d("0", "1", "0"), 2)).containsExactly(d("0.00", "0.05", "0.00"));
    }

    @Test
    void partsHaveTheRequestedScale_andNeverGoNegative() {
        BigDecimal[] parts = ExactSplit.split(new BigDecimal("0.000000000003"), d("5", "5", "5", "5"), 12);
        assertThat(parts).allSatisfy(p -> {
            assertThat(p.scale()).isEqualTo(12);
            assertThat(p.signum()).isGreaterThanOrEqualTo(0);
        });
        assertThat(Arrays.stream(parts).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("0.000000000003");
    }

    @Test
    void rejectsNegativeAmounts_negativeWeights_noWeight_andTooManyDecimals() {
        assertThatThrownBy(() -> ExactSplit.split(new BigDecimal("-1"), d("1"), 2)).hasMessageContaining("negative amount");
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.ONE, d("1", "-1"), 2)).hasMessageContaining("negative weight");
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.ONE, d("0", "0"), 2)).hasMessageContaining("no positive weight");
        assertThatThrownBy(() -> ExactSplit.split(new BigDecimal("0.001"), d("1"), 2)).hasMessageContaining("decimal places");
    }
}
