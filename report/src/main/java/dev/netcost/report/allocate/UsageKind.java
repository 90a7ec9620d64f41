package dev.netcost.report.allocate;

import java.util.Locale;

/**
 * The billed network usage types netcost splits, as the CUR's usage type spells them after the region
 * prefix ({@code USE2-}, {@code EU-}, none for us-east-1): each with its cost type and unit.
 */
public enum UsageKind {
    /** Inter-AZ transfer, billed on each instance for its bytes in and out. */
    REGIONAL_BYTES("DataTransfer-Regional-Bytes", CostType.CROSS_ZONE, Unit.GB, null),
    /** Transfer to the internet. */
    OUT_BYTES("DataTransfer-Out-Bytes", CostType.INTERNET_EGRESS, Unit.GB, null),
    /** Bytes a NAT gateway processed, both directions. */
    NAT_BYTES("NatGateway-Bytes", CostType.NAT_GATEWAY, Unit.GB, null),
    /** Hours a NAT gateway existed. */
    NAT_HOURS("NatGateway-Hours", CostType.NAT_GATEWAY, Unit.HOURS, null),
    /** Hours a load balancer existed. */
    LB_HOURS("LoadBalancerUsage", CostType.LOAD_BALANCER, Unit.HOURS, "AWSELB"),
    /** LCU-hours (NLCU-hours for an NLB) a load balancer used. */
    LB_LCU("LCUUsage", CostType.LOAD_BALANCER, Unit.LCU_HOURS, "AWSELB");

    /** The unit of {@code line_item_usage_amount} for this usage type. */
    public enum Unit {
        GB, HOURS, LCU_HOURS
    }

    private final String suffix;
    private final CostType costType;
    private final Unit unit;
    private final String productCode;

    UsageKind(String suffix, CostType costType, Unit unit, String productCode) {
        this.suffix = suffix;
        this.costType = costType;
        this.unit = unit;
        this.productCode = productCode;
    }

    /** The usage type without region prefix, e.g. {@code DataTransfer-Regional-Bytes}. */
    public String suffix() {
        return suffix;
    }

    public CostType costType() {
        return costType;
    }

    public Unit unit() {
        return unit;
    }

    /** The product code the line must carry, or null when any does (transfer is billed under several). */
    public String productCode() {
        return productCode;
    }

    /**
     * The kind of a CUR usage type, or null when netcost does not split it. The usage type is the
     * suffix alone or the suffix after a region prefix of letters and digits ({@code USE2-},
     * {@code EU-}, {@code APN1-}); inter-region types such as {@code USE2-USW2-AWS-Out-Bytes} do not match.
     */
    public static UsageKind of(String usageType, String productCode) {
        if (usageType == null) {
            return null;
        }
        for (UsageKind k : values()) {
            if (matches(usageType, k.suffix) && (k.productCode == null || k.productCode.equals(productCode))) {
                return k;
            }
        }
        return null;
    }

    private static boolean matches(String usageType, String suffix) {
        if (usageType.equals(suffix)) {
            return true;
        }
        if (!usageType.endsWith("-" + suffix)) {
            return false;
        }
        String prefix = usageType.substring(0, usageType.length() - suffix.length() - 1);
        return !prefix.isEmpty() && prefix.chars().allMatch(Character::isLetterOrDigit)
                && prefix.equals(prefix.toUpperCase(Locale.ROOT));
    }
}
