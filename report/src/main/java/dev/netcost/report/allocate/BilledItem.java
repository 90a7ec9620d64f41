package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * One amount to allocate: the CUR lines of one usage kind on one resource over the same hours, added
 * up (or, without a CUR, one list-price estimate).
 *
 * @param kind        the usage kind, which fixes the cost type and the measure the amount is split by
 * @param resource    the billed resource
 * @param zone        the line's availability zone ("" when the bill does not say)
 * @param firstHour   first hour of the window the usage falls in
 * @param endHour     hour after the last one (exclusive); {@code > firstHour}
 * @param amount      US dollars, not negative
 * @param usageAmount the billed usage in the kind's unit (GB, hours, LCU-hours), or null when unknown
 * @param lines       how many CUR lines were added up (0 for a list-price estimate)
 */
public record BilledItem(UsageKind kind, ResourceId resource, String zone, int firstHour, int endHour,
                         BigDecimal amount, BigDecimal usageAmount, int lines) {
    public BilledItem {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(amount, "amount");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("negative amount " + amount + " for " + resource.raw());
        }
        if (firstHour < 0 || endHour <= firstHour) {
            throw new IllegalArgumentException("bad hours [" + firstHour + ", " + endHour + ")");
        }
    }

    public CostType costType() {
        return kind.costType();
    }
}
