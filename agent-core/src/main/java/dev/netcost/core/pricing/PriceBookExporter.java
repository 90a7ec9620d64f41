package dev.netcost.core.pricing;

import dev.netcost.core.config.PricingConfig;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Emits the price book every cycle, so the cost recording rules find the prices next to the bytes
 * (value = the price; see docs/cost-model.md):
 * <ul>
 *   <li>{@code netcost_price_usd_per_gb{resource}}: {@code cross_zone}, {@code internet_egress}, {@code nat_gateway}</li>
 *   <li>{@code netcost_price_usd_per_hour{resource,load_balancer_type}}: {@code load_balancer} and {@code lcu}
 *       per type, {@code nat_gateway} without a type</li>
 *   <li>{@code netcost_lcu_capacity_per_second{load_balancer_type,dimension}}: {@code processed_bytes}
 *       (bytes/s that make one LCU) and {@code new_connections}</li>
 *   <li>{@code netcost_price_gb_bytes}: bytes in one billed GB</li>
 * </ul>
 * With {@code pricing.natGateway.enabled: false} the two NAT prices are left out, so the rules record
 * no {@code nat_gateway} cost. Only one process per cluster may run this exporter: the webhook's
 * leader (or a standalone {@code netcost node}), so the TSDB holds each price once.
 */
public final class PriceBookExporter implements Exporter {
    static final String PER_GB = "netcost_price_usd_per_gb";
    static final String PER_HOUR = "netcost_price_usd_per_hour";
    static final String LCU_CAPACITY = "netcost_lcu_capacity_per_second";
    static final String GB_BYTES = "netcost_price_gb_bytes";
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private final List<Labels> labels = new ArrayList<>();
    private final double[] values;

    public PriceBookExporter(PricingConfig pricing) {
        List<Double> v = new ArrayList<>();
        add(v, Labels.of(PER_GB, "resource", "cross_zone"), pricing.crossZonePerGb());
        add(v, Labels.of(PER_GB, "resource", "internet_egress"), pricing.internetEgressPerGb());
        if (pricing.natGateway().enabled()) {
            add(v, Labels.of(PER_GB, "resource", "nat_gateway"), pricing.natGateway().perGb());
            add(v, Labels.of(PER_HOUR, "resource", "nat_gateway"), pricing.natGateway().perHour());
        }
        BigDecimal gbBytes = BigDecimal.valueOf(pricing.gbBytes());
        loadBalancer(v, LoadBalancerType.APPLICATION, pricing.alb(), gbBytes);
        loadBalancer(v, LoadBalancerType.NETWORK, pricing.nlb(), gbBytes);
        add(v, Labels.of(GB_BYTES), gbBytes);
        this.values = v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void loadBalancer(List<Double> v, LoadBalancerType type, PricingConfig.LoadBalancerPrices p,
                              BigDecimal gbBytes) {
        String t = type.label();
        add(v, Labels.of(PER_HOUR, "resource", "load_balancer", "load_balancer_type", t), p.perHour());
        add(v, Labels.of(PER_HOUR, "resource", "lcu", "load_balancer_type", t), p.perLcuHour());
        // AWS states the bytes dimension per hour; the rules compare it with a per-second rate.
        BigDecimal bytesPerSecond = p.lcuProcessedGbPerHour().multiply(gbBytes)
                .divide(SECONDS_PER_HOUR, MathContext.DECIMAL64);
        add(v, Labels.of(LCU_CAPACITY, "load_balancer_type", t, "dimension", "processed_bytes"), bytesPerSecond);
        add(v, Labels.of(LCU_CAPACITY, "load_balancer_type", t, "dimension", "new_connections"),
                p.lcuNewConnectionsPerSecond());
    }

    private void add(List<Double> v, Labels l, BigDecimal value) {
        labels.add(l);
        v.add(value.doubleValue());
    }

    @Override
    public String name() {
        return "pricing";
    }

    @Override
    public void collect(SampleConsumer out) {
        for (int i = 0; i < values.length; i++) {
            out.accept(labels.get(i), values[i]);
        }
    }
}
