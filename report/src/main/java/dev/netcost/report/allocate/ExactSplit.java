package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.math.BigInteger;
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
        BigInteger[] parts = splitUnits(toUnits(amount, scale), weights);
        BigDecimal[] out = new BigDecimal[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = new BigDecimal(parts[i], scale);
        }
        return out;
    }

    /**
     * Apportions {@code units} (a whole number of the smallest unit) in proportion to {@code weights}, by
     * largest remainder, in integer arithmetic: with the weights as integers {@code w_i} (all brought to
     * one scale) and {@code W} their sum, part {@code i} is {@code floor(units * w_i / W)} and its
     * remainder {@code units * w_i mod W}, exactly.
     */
    static BigInteger[] splitUnits(BigInteger units, BigDecimal[] weights) {
        int n = weights.length;
        int scale = 0;
        for (BigDecimal w : weights) {
            if (w.signum() < 0) {
                throw new IllegalArgumentException("negative weight " + w);
            }
            scale = Math.max(scale, w.scale());
        }
        BigInteger[] w = new BigInteger[n];
        BigInteger total = BigInteger.ZERO;
        for (int i = 0; i < n; i++) {
            w[i] = weights[i].setScale(scale, RoundingMode.UNNECESSARY).unscaledValue();
            total = total.add(w[i]);
        }
        if (total.signum() == 0) {
            throw new IllegalArgumentException("no positive weight to split " + units + " units by");
        }
        BigInteger[] parts = new BigInteger[n];
        BigInteger[] remainders = new BigInteger[n];
        BigInteger given = BigInteger.ZERO;
        int positive = 0;
        for (int i = 0; i < n; i++) {
            BigInteger[] qr = units.multiply(w[i]).divideAndRemainder(total);
            parts[i] = qr[0];
            remainders[i] = qr[1];
            given = given.add(qr[0]);
            if (w[i].signum() > 0) {
                positive++;
            }
        }
        // Each part lost less than one unit, so fewer than `positive` units are left.
        int left = units.subtract(given).intValueExact();
        if (left > 0) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            // Largest remainder first; among equal remainders the larger weight, then the earlier index.
            Arrays.sort(order, Comparator.<Integer, BigInteger>comparing(i -> remainders[i]).reversed()
                    .thenComparing(Comparator.<Integer, BigInteger>comparing(i -> w[i]).reversed())
                    .thenComparing(i -> i));
            for (int k = 0; k < left; k++) {
                int i = order[k % positive];
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
