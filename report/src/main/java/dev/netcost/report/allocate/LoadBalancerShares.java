package dev.netcost.report.allocate;

import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.LoadBalancerTraffic;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.PriceBook;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cost model's load-balancer share for one hour. With {@code b}/{@code c} the load balancer's
 * bytes/new connections in the hour, {@code B}/{@code C} what one LCU covers in an hour:
 * {@code lcu_b = b/B}, {@code lcu_c = c/C}, and a pod's share is
 * {@code (lcu_b * b_pod/b + lcu_c * c_pod/c) / (lcu_b + lcu_c)} = {@code (b_pod/B + c_pod/C) / (lcu_b + lcu_c)}.
 * So each pod's weight is the LCUs its own bytes and connections account for. Active connections and
 * rule evaluations are not measured; the bill's LCU total corrects for them in CUR mode.
 */
final class LoadBalancerShares {
    static final String PROCESSED_BYTES = "processed_bytes";
    static final String NEW_CONNECTIONS = "new_connections";
    static final MathContext MC = MathContext.DECIMAL128;
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private final Measurements m;
    private final Ledger ledger;
    private boolean warned;

    LoadBalancerShares(Measurements m, Ledger ledger) {
        this.m = m;
        this.ledger = ledger;
    }

    /** The load balancer's LCUs in hour {@code h} per dimension: {lcu_b, lcu_c}. */
    BigDecimal[] lcus(LoadBalancerRef lb, int h) {
        BigDecimal[] perHour = capacityPerHour(lb, h);
        LoadBalancerTraffic t = m.loadBalancers().get(lb);
        BigDecimal b = BigDecimal.ZERO;
        BigDecimal c = BigDecimal.ZERO;
        if (t != null) {
            for (double[] v : t.bytes().values()) {
                b = b.add(BigDecimal.valueOf(v[h]));
            }
            for (double[] v : t.connections().values()) {
                c = c.add(BigDecimal.valueOf(v[h]));
            }
        }
        return new BigDecimal[] {b.divide(perHour[0], MC), c.divide(perHour[1], MC)};
    }

    /**
     * Each pod's LCUs in one hour as {@code numerators / denominator}: {@code b_pod/B + c_pod/C} =
     * {@code (b_pod * C + c_pod * B) / (B * C)}. The numerators alone are proportional to the shares, so
     * an hourly line is split without a single division.
     */
    record Hour(Map<Integer, BigDecimal> numerators, BigDecimal denominator) {
        boolean isEmpty() {
            return numerators.isEmpty();
        }
    }

    /** The pods' LCU weights in hour {@code h}; empty when the load balancer had no measured traffic. */
    Hour weights(LoadBalancerRef lb, int h) {
        Map<Integer, BigDecimal> w = new LinkedHashMap<>();
        LoadBalancerTraffic t = m.loadBalancers().get(lb);
        BigDecimal[] perHour = capacityPerHour(lb, h);
        if (t != null) {
            for (Map.Entry<Integer, double[]> e : t.bytes().entrySet()) {
                double v = e.getValue()[h];
                if (v > 0) {
                    w.merge(e.getKey(), BigDecimal.valueOf(v).multiply(perHour[1]), BigDecimal::add);
                }
            }
            for (Map.Entry<Integer, double[]> e : t.connections().entrySet()) {
                double v = e.getValue()[h];
                if (v > 0) {
                    w.merge(e.getKey(), BigDecimal.valueOf(v).multiply(perHour[0]), BigDecimal::add);
                }
            }
        }
        return new Hour(w, perHour[0].multiply(perHour[1]));
    }

    /** {B, C}: bytes and new connections one LCU covers in an hour, from the price book or AWS's defaults. */
    private BigDecimal[] capacityPerHour(LoadBalancerRef lb, int h) {
        PriceBook p = m.prices();
        BigDecimal bytes = p.lcuCapacity(lb.cluster(), lb.type(), PROCESSED_BYTES, h);
        BigDecimal conns = p.lcuCapacity(lb.cluster(), lb.type(), NEW_CONNECTIONS, h);
        if (!warned && (bytes == null || bytes.signum() <= 0 || conns == null || conns.signum() <= 0)) {
            warned = true;
            ledger.warn("no netcost_lcu_capacity_per_second for load_balancer_type=\"" + lb.type()
                    + "\" in some hours: used AWS's LCU dimensions (1 GB/h processed; "
                    + ("network".equals(lb.type()) ? "800" : "25") + " new connections/s)");
        }
        if (bytes == null || bytes.signum() <= 0) {
            bytes = p.gbBytes(lb.cluster(), h).divide(SECONDS_PER_HOUR, MC);
        }
        if (conns == null || conns.signum() <= 0) {
            conns = BigDecimal.valueOf("network".equals(lb.type()) ? 800 : 25);
        }
        return new BigDecimal[] {bytes.multiply(SECONDS_PER_HOUR, MC), conns.multiply(SECONDS_PER_HOUR, MC)};
    }
}
