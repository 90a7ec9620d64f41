package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rounds exact amounts to the report's precision so that the rounded figures still add up at every
 * level: the grand total is the exact total rounded half-up; each cost type's total is its exact total
 * rounded down or up, and each row its exact amount rounded down or up, the units that make up the
 * level above going to the largest remainders (Hamilton's method with the exact amounts as quotas).
 * So rows add up to their cost type, cost types to the grand total, and every rounded figure is less
 * than one unit from its exact value. (Splitting the rounded total in proportion to the exact amounts
 * instead can leave a figure more than one unit off: the total's rounding error is spread too.)
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

    /**
     * {@code amount} (at {@code precision}) as the sum of {@code exact} rounded down or up: each
     * rounded down, then one unit more for each of the largest remainders (earlier first on a tie)
     * until the sum is {@code amount}. {@code amount} must be within what that can reach: at least the
     * sum rounded down, and at most one unit more per amount with a remainder.
     */
    static BigDecimal[] apportion(BigDecimal amount, BigDecimal[] exact, int precision) {
        BigDecimal[] out = new BigDecimal[exact.length];
        BigDecimal[] remainder = new BigDecimal[exact.length];
        BigDecimal floors = BigDecimal.ZERO;
        for (int i = 0; i < exact.length; i++) {
            out[i] = exact[i].setScale(precision, RoundingMode.FLOOR);
            remainder[i] = exact[i].subtract(out[i]);
            floors = floors.add(out[i]);
        }
        BigInteger units = ExactSplit.toUnits(amount.subtract(floors), precision);
        Integer[] order = new Integer[exact.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> remainder[b].compareTo(remainder[a]));
        int k = units.intValueExact();
        if (k < 0 || k > exact.length || k > 0 && remainder[order[k - 1]].signum() == 0) {
            throw new IllegalStateException("BUG: " + amount + " is not a rounding of " + Arrays.toString(exact));
        }
        BigDecimal unit = BigDecimal.ONE.movePointLeft(precision);
        for (int j = 0; j < k; j++) {
            out[order[j]] = out[order[j]].add(unit);
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
