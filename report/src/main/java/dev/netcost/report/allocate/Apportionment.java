package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rounds exact amounts to the report's precision so that the rounded figures still add up at every
 * level: the grand total is the exact total rounded half-up; it is apportioned over the cost types in
 * proportion to their exact totals, and each cost type's share over its rows in proportion to their
 * exact amounts (largest remainder, see {@link ExactSplit}). So rows add up to their cost type, cost
 * types to the grand total, and every rounded figure is within one unit of its exact value.
 */
public final class Apportionment {

    /** The rounded amounts: per cost type, its rows (in input order) and its total; and the grand total. */
    public record Result<K>(Map<K, List<BigDecimal>> rows, Map<K, BigDecimal> totals, BigDecimal total) {
    }

    private Apportionment() {
    }

    /**
     * @param exact     per key (e.g. cost type), the exact non-negative amounts of its rows
     * @param precision decimal places of the result (2: cents)
     */
    public static <K> Result<K> round(Map<K, List<BigDecimal>> exact, int precision) {
        Map<K, BigDecimal> exactTotals = new LinkedHashMap<>();
        BigDecimal grandExact = BigDecimal.ZERO;
        for (Map.Entry<K, List<BigDecimal>> e : exact.entrySet()) {
            BigDecimal t = sum(e.getValue());
            exactTotals.put(e.getKey(), t);
            grandExact = grandExact.add(t);
        }
        BigDecimal grand = grandExact.setScale(precision, RoundingMode.HALF_UP);
        List<K> keys = new ArrayList<>(exactTotals.keySet());
        BigDecimal[] typeTotals = apportion(grand, exactTotals.values().toArray(new BigDecimal[0]), precision);
        Map<K, BigDecimal> totals = new LinkedHashMap<>();
        Map<K, List<BigDecimal>> rows = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            K key = keys.get(i);
            totals.put(key, typeTotals[i]);
            rows.put(key, List.of(apportion(typeTotals[i], exact.get(key).toArray(new BigDecimal[0]), precision)));
        }
        return new Result<>(rows, totals, grand);
    }

    /** {@code amount} (at {@code precision}) split in proportion to {@code weights}; all zero when they are. */
    static BigDecimal[] apportion(BigDecimal amount, BigDecimal[] weights, int precision) {
        BigDecimal[] out = new BigDecimal[weights.length];
        BigDecimal total = sum(List.of(weights));
        if (total.signum() == 0) {
            if (amount.signum() != 0) {
                throw new IllegalStateException("BUG: " + amount + " to apportion over zero weights");
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = BigDecimal.ZERO.setScale(precision);
            }
            return out;
        }
        BigInteger[] units = ExactSplit.splitUnits(ExactSplit.toUnits(amount, precision), weights);
        for (int i = 0; i < out.length; i++) {
            out[i] = new BigDecimal(units[i], precision);
        }
        return out;
    }

    private static BigDecimal sum(List<BigDecimal> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (BigDecimal v : values) {
            if (v.signum() < 0) {
                throw new IllegalArgumentException("negative amount " + v);
            }
            s = s.add(v);
        }
        return s;
    }
}
