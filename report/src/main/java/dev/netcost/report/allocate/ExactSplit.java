package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * Splits an amount of money over weights in exact decimals: every part is a multiple of
 * {@code 10^-scale}, no part is negative, and the parts add up to the amount exactly (largest
 * remainder: each part is first rounded down, then the units left over go to the largest fractions,
 * ties to the earlier index so the result is deterministic).
 */
public final class ExactSplit {
    private static final MathContext QUOTIENT = new MathContext(50, RoundingMode.DOWN);

    private ExactSplit() {
    }

    /**
     * @param amount  non-negative, with at most {@code scale} decimal places
     * @param weights non-negative; at least one positive
     * @param scale   decimal places of the parts
     * @return one part per weight, summing to {@code amount}
     */
    public static BigDecimal[] split(BigDecimal amount, BigDecimal[] weights, int scale) {
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("negative amount " + amount);
        }
        BigInteger units = toUnits(amount, scale);
        BigDecimal total = BigDecimal.ZERO;
        for (BigDecimal w : weights) {
            if (w.signum() < 0) {
                throw new IllegalArgumentException("negative weight " + w);
            }
            total = total.add(w);
        }
        if (total.signum() == 0) {
            throw new IllegalArgumentException("no positive weight to split " + amount + " by");
        }
        BigInteger[] parts = splitUnits(units, weights, total);
        BigDecimal[] out = new BigDecimal[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = new BigDecimal(parts[i], scale);
        }
        return out;
    }

    /**
     * Apportions {@code units} (a whole number of the smallest unit) in proportion to {@code weights}
     * (whose sum is {@code total}, positive), by largest remainder.
     */
    static BigInteger[] splitUnits(BigInteger units, BigDecimal[] weights, BigDecimal total) {
        int n = weights.length;
        BigInteger[] parts = new BigInteger[n];
        BigDecimal[] fractions = new BigDecimal[n];
        BigDecimal unitsDecimal = new BigDecimal(units);
        BigInteger given = BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            if (weights[i].signum() == 0) {
                parts[i] = BigInteger.ZERO;
                fractions[i] = BigDecimal.ZERO;
                continue;
            }
            BigDecimal exact = unitsDecimal.multiply(weights[i]).divide(total, QUOTIENT);
            BigDecimal floor = exact.setScale(0, RoundingMode.FLOOR);
            parts[i] = floor.toBigIntegerExact();
            fractions[i] = exact.subtract(floor);
            given = given.add(parts[i]);
        }
        long left = units.subtract(given).longValueExact();
        if (left > 0) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            // Largest fraction first; among equal fractions the larger weight, then the earlier index.
            Arrays.sort(order, Comparator.<Integer, BigDecimal>comparing(i -> fractions[i]).reversed()
                    .thenComparing(Comparator.<Integer, BigDecimal>comparing(i -> weights[i]).reversed())
                    .thenComparing(i -> i));
            int positive = 0;
            for (BigDecimal w : weights) {
                if (w.signum() > 0) {
                    positive++;
                }
            }
            // Truncated quotients leave fewer than one unit per positive weight; cycle to be safe.
            for (long k = 0; k < left; k++) {
                int i = order[(int) (k % positive)];
                parts[i] = parts[i].add(BigInteger.ONE);
            }
        } else if (left < 0) {
            throw new IllegalStateException("BUG: rounded-down parts exceed the amount by " + (-left) + " units");
        }
        return parts;
    }

    /** {@code amount} as a whole number of {@code 10^-scale}; fails if it has more decimal places. */
    static BigInteger toUnits(BigDecimal amount, int scale) {
        try {
            return amount.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(amount + " has more than " + scale + " decimal places", e);
        }
    }
}
