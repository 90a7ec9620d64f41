package dev.netcost.report.allocate;

import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.PodMeasure;
import dev.netcost.report.measure.PodRef;
import dev.netcost.report.measure.PriceBook;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Without a bill: what the price book says each pod cost, with the recording rules' semantics, hour by
 * hour ({@code increase} over each hour instead of a 5-minute rate):
 * <ul>
 * <li>{@code cross_zone}: cross-zone bytes in both directions (plus NLB cross-zone) x $/GB;</li>
 * <li>{@code internet_egress}: internet egress bytes x $/GB (the first tier: tiers come from the bill);</li>
 * <li>{@code nat_gateway}: internet bytes in both directions x NAT $/GB (NAT hours are not estimated:
 *     netcost does not know how many NAT gateways there are);</li>
 * <li>{@code load_balancer}: per load balancer and hour, hourly price + LCUs x LCU price, with
 *     {@code lcu = max(lcu_b, lcu_c)}, split by the pods' LCU share ({@link LoadBalancerShares}); an hour
 *     with no traffic stays unallocated under the load balancer's name.</li>
 * </ul>
 * A missing price yields no cost of that type (never a wrong zero) and a warning.
 */
public final class ListPriceEstimator {
    /** Decimal places of list-price amounts. */
    static final int SCALE = 20;
    private static final MathContext MC = MathContext.DECIMAL128;

    private final Measurements m;
    private final Ledger ledger;

    private ListPriceEstimator(Measurements m, Ledger ledger) {
        this.m = m;
        this.ledger = ledger;
    }

    public static Ledger estimate(Measurements m) {
        Ledger ledger = new Ledger("list_price", m.pods().size());
        ListPriceEstimator e = new ListPriceEstimator(m, ledger);
        e.perGb(PodMeasure.CROSS_ZONE, CostType.CROSS_ZONE, "cross_zone");
        e.perGb(PodMeasure.INTERNET_EGRESS, CostType.INTERNET_EGRESS, "internet_egress");
        e.perGb(PodMeasure.INTERNET, CostType.NAT_GATEWAY, "nat_gateway");
        e.loadBalancers();
        return ledger;
    }

    /** Each pod's bytes x the hour's $/GB: pods pay for their own bytes, nothing stays unallocated. */
    private void perGb(PodMeasure measure, CostType type, String resource) {
        PriceBook prices = m.prices();
        int hours = m.window().hours();
        List<PodRef> pods = m.pods();
        Map<String, BigDecimal[]> perGbByCluster = new HashMap<>();
        boolean missing = false;
        for (int p = 0; p < pods.size(); p++) {
            double[] bytes = m.bytes(measure, p);
            if (bytes == null) {
                continue;
            }
            String cluster = pods.get(p).cluster();
            BigDecimal[] perGb = perGbByCluster.computeIfAbsent(cluster, c -> pricePerByte(c, resource));
            // Bytes added up per distinct price, then priced once: exact, and fast for a month of hours.
            Map<BigDecimal, Double> bytesAtPrice = new LinkedHashMap<>();
            for (int h = 0; h < hours; h++) {
                if (bytes[h] > 0) {
                    if (perGb[h] == null) {
                        missing = true;
                    } else {
                        bytesAtPrice.merge(perGb[h], bytes[h], Double::sum);
                    }
                }
            }
            BigDecimal amount = BigDecimal.ZERO;
            for (Map.Entry<BigDecimal, Double> e : bytesAtPrice.entrySet()) {
                amount = amount.add(BigDecimal.valueOf(e.getValue()).multiply(e.getKey(), MC));
            }
            amount = amount.setScale(SCALE, RoundingMode.HALF_EVEN);
            if (amount.signum() > 0) {
                ledger.billed(type, amount);
                ledger.allocate(type, p, amount, null);
            }
        }
        if (missing) {
            ledger.warn("no " + PriceBook.USD_PER_GB + "{resource=\"" + resource + "\"} in some hours with "
                    + BillAllocator.describe(measure) + ": no " + type.label() + " cost for them");
        }
    }

    /** Per hour: the price of one byte of {@code resource}, or null without a price. */
    private BigDecimal[] pricePerByte(String cluster, String resource) {
        int hours = m.window().hours();
        BigDecimal[] out = new BigDecimal[hours];
        for (int h = 0; h < hours; h++) {
            BigDecimal perGb = m.prices().perGb(cluster, resource, h);
            if (perGb != null) {
                out[h] = perGb.divide(m.prices().gbBytes(cluster, h), MC);
            }
        }
        return out;
    }

    private void loadBalancers() {
        LoadBalancerShares shares = new LoadBalancerShares(m, ledger);
        Set<LoadBalancerRef> lbs = new LinkedHashSet<>(m.loadBalancerHours().keySet());
        lbs.addAll(m.loadBalancers().keySet());
        int hours = m.window().hours();
        for (LoadBalancerRef lb : lbs) {
            BitSet info = m.loadBalancerHours().getOrDefault(lb, new BitSet());
            for (int h = 0; h < hours; h++) {
                Map<Integer, BigDecimal> weights = shares.weights(lb, h).numerators();
                if (weights.isEmpty() && !info.get(h)) {
                    continue;
                }
                BigDecimal hourly = m.prices().perHour(lb.cluster(), "load_balancer", lb.type(), h);
                BigDecimal lcuPrice = m.prices().perHour(lb.cluster(), "lcu", lb.type(), h);
                if (hourly == null || lcuPrice == null) {
                    ledger.warn("no " + PriceBook.USD_PER_HOUR + "{resource=\"" + (hourly == null ? "load_balancer" : "lcu")
                            + "\",load_balancer_type=\"" + lb.type() + "\"} in some hours: no load_balancer cost for them");
                    continue;
                }
                BigDecimal[] lcus = shares.lcus(lb, h);
                BigDecimal cost = hourly.add(lcus[0].max(lcus[1]).multiply(lcuPrice, MC), MC)
                        .setScale(SCALE, RoundingMode.HALF_EVEN);
                ledger.billed(CostType.LOAD_BALANCER, cost);
                if (weights.isEmpty()) {
                    ledger.unallocated(CostType.LOAD_BALANCER, lb.name(), cost, null, "no traffic measured through it");
                    continue;
                }
                ledger.split(CostType.LOAD_BALANCER, cost, weights, SCALE, lb.name());
            }
        }
    }
}
