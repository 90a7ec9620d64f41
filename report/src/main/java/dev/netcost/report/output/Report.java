package dev.netcost.report.output;

import dev.netcost.report.allocate.CostType;
import dev.netcost.report.allocate.SetAside;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The finished report, rounded to its precision so every figure adds up: rows to their cost type,
 * cost types to the total, allocated + unallocated = billed.
 *
 * @param window      the hours covered
 * @param by          the grouping, as given to {@code --by}
 * @param source      {@code cur} or {@code list_price}
 * @param precision   decimal places of the dollar amounts
 * @param rows        per group and cost type, then {@code unallocated:<resource>} rows
 * @param totals      billed, allocated, unallocated per cost type and in total
 * @param coverage    billed GB against measured GB per resource (CUR only)
 * @param setAside    lines in the window left out of the allocation
 * @param loadBalancers each load balancer's split over the groups
 * @param crossZoneTalkers the workloads with the most cross-zone bytes
 * @param sources     the CUR files read, or the Prometheus URL for list prices
 * @param warnings    what the user should know
 * @param generatedAt when the report was made
 */
public record Report(Window window, String by, String source, int precision, List<Row> rows, Totals totals,
                     List<Coverage> coverage, List<SetAside> setAside, List<LoadBalancerSplit> loadBalancers,
                     List<Talker> crossZoneTalkers, List<String> sources, List<String> warnings, Instant generatedAt) {

    /** The prefix of a row that holds money no group could be given. */
    public static final String UNALLOCATED = "unallocated:";

    /**
     * One CSV row.
     *
     * @param group     the group, or {@code unallocated:<resource>}
     * @param costType  what the money was spent on
     * @param usageGb   the group's measured GB for this cost type, or the billed GB of an unallocated
     *                  resource; null when not applicable
     * @param allocated dollars given to the group (0 for an unallocated row)
     * @param billed    dollars of the bill this row accounts for: the allocation for a group, the amount
     *                  left for an unallocated row
     * @param reasons   why an unallocated row could not be split (empty for groups)
     */
    public record Row(String group, CostType costType, BigDecimal usageGb, BigDecimal allocated, BigDecimal billed,
                      List<String> reasons) {
        public boolean isUnallocated() {
            return group.startsWith(UNALLOCATED);
        }
    }

    /** Billed = allocated + unallocated, for one cost type. */
    public record CostTypeTotal(CostType costType, BigDecimal billed, BigDecimal allocated, BigDecimal unallocated) {
    }

    /**
     * @param byCostType  per cost type
     * @param billed      sum of the cost types' billed
     * @param allocated   sum of allocated
     * @param unallocated sum of unallocated
     * @param billedExact the exact sum before rounding
     */
    public record Totals(List<CostTypeTotal> byCostType, BigDecimal billed, BigDecimal allocated,
                         BigDecimal unallocated, BigDecimal billedExact) {
    }

    /** Billed against measured GB for one resource; {@code ratio} = measured / billed, or null. */
    public record Coverage(String resource, String usageType, BigDecimal billedGb, BigDecimal measuredGb,
                           BigDecimal ratio) {
    }

    /** One load balancer's cost and who it went to ({@code unallocated} included as a group). */
    public record LoadBalancerSplit(String loadBalancer, BigDecimal total, List<Share> shares) {
    }

    /** A group's part of a load balancer: the rounded amount and the exact fraction of the total. */
    public record Share(String group, BigDecimal amount, BigDecimal fraction) {
    }

    /** A workload's cross-zone bytes and the cross-zone cost it was given. */
    public record Talker(String workload, BigDecimal gb, BigDecimal usd) {
    }
}
