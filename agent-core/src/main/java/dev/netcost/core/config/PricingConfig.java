package dev.netcost.core.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * The price book ({@code pricing:}): what the cost rules multiply bytes, hours and LCUs by. Defaults
 * are AWS us-east-1 list prices in US dollars; every key can be overridden for another region or a
 * negotiated rate. Documented in docs/configuration.md and docs/cost-model.md.
 *
 * @param configured       whether the file had a {@code pricing:} section (a standalone {@code netcost node}
 *                         emits the price book only then)
 * @param enabled          {@code pricing.enabled}: whether this process emits the price book at all
 * @param gbBytes          {@code pricing.gbBytes}: bytes in one billed GB (AWS: 2^30)
 * @param crossZonePerGb   {@code pricing.crossZonePerGb}: inter-AZ transfer, charged in each direction
 * @param internetEgressPerGb {@code pricing.internetEgressPerGb}: data transfer out to the internet (first tier)
 * @param natGateway       {@code pricing.natGateway}
 * @param alb              {@code pricing.alb}: Application Load Balancers
 * @param nlb              {@code pricing.nlb}: Network Load Balancers
 */
public record PricingConfig(@JsonIgnore boolean configured, boolean enabled, int gbBytes, BigDecimal crossZonePerGb,
                            BigDecimal internetEgressPerGb, NatGateway natGateway, LoadBalancerPrices alb,
                            LoadBalancerPrices nlb) {

    /** AWS bills data transfer in GB of 2^30 bytes. */
    public static final int DEFAULT_GB_BYTES = 1 << 30;

    /** us-east-1 list prices, as the AWS pricing pages give them. */
    public static final PricingConfig DEFAULT = new PricingConfig(false, true, DEFAULT_GB_BYTES,
            new BigDecimal("0.01"), new BigDecimal("0.09"),
            new NatGateway(true, new BigDecimal("0.045"), new BigDecimal("0.045")),
            new LoadBalancerPrices(new BigDecimal("0.0225"), new BigDecimal("0.008"), BigDecimal.ONE, new BigDecimal("25")),
            new LoadBalancerPrices(new BigDecimal("0.0225"), new BigDecimal("0.006"), BigDecimal.ONE, new BigDecimal("800")));

    public PricingConfig {
        Objects.requireNonNull(crossZonePerGb, "crossZonePerGb");
        Objects.requireNonNull(internetEgressPerGb, "internetEgressPerGb");
        Objects.requireNonNull(natGateway, "natGateway");
        Objects.requireNonNull(alb, "alb");
        Objects.requireNonNull(nlb, "nlb");
        if (gbBytes < 1) {
            throw new IllegalArgumentException("gbBytes must be at least 1, got " + gbBytes);
        }
    }

    /**
     * The NAT gateway. Pods in private subnets reach the internet through one, which charges for every
     * byte it processes in either direction; {@code enabled: false} when they do not (public subnets).
     *
     * @param enabled {@code pricing.natGateway.enabled}: false emits no NAT price, so no {@code nat_gateway} cost
     * @param perGb   {@code pricing.natGateway.perGb}: data processed
     * @param perHour {@code pricing.natGateway.perHour}: each gateway's hours (emitted, not allocated by the rules)
     */
    public record NatGateway(boolean enabled, BigDecimal perGb, BigDecimal perHour) {
        public NatGateway {
            Objects.requireNonNull(perGb, "perGb");
            Objects.requireNonNull(perHour, "perHour");
        }
    }

    /**
     * One load-balancer type's prices and LCU (NLCU) capacity.
     *
     * @param perHour                    the hourly charge of one load balancer
     * @param perLcuHour                 the price of one LCU for one hour
     * @param lcuProcessedGbPerHour      processed GB per hour that make one LCU (IP and instance targets)
     * @param lcuNewConnectionsPerSecond new connections per second that make one LCU
     */
    public record LoadBalancerPrices(BigDecimal perHour, BigDecimal perLcuHour, BigDecimal lcuProcessedGbPerHour,
                                     BigDecimal lcuNewConnectionsPerSecond) {
        public LoadBalancerPrices {
            Objects.requireNonNull(perHour, "perHour");
            Objects.requireNonNull(perLcuHour, "perLcuHour");
            if (lcuProcessedGbPerHour.signum() <= 0 || lcuNewConnectionsPerSecond.signum() <= 0) {
                throw new IllegalArgumentException("LCU capacities must be positive");
            }
        }
    }

    /** Reads the {@code pricing} section; every problem is reported on {@code n}. */
    static PricingConfig parse(ConfigNode n) {
        PricingConfig d = DEFAULT;
        boolean enabled = n.bool("enabled", d.enabled());
        int gbBytes = n.integer("gbBytes", d.gbBytes(), 1, Integer.MAX_VALUE);
        BigDecimal crossZone = n.decimal("crossZonePerGb", d.crossZonePerGb(), BigDecimal.ZERO);
        BigDecimal internet = n.decimal("internetEgressPerGb", d.internetEgressPerGb(), BigDecimal.ZERO);

        ConfigNode nat = n.child("natGateway");
        NatGateway natGateway = new NatGateway(nat.bool("enabled", d.natGateway().enabled()),
                nat.decimal("perGb", d.natGateway().perGb(), BigDecimal.ZERO),
                nat.decimal("perHour", d.natGateway().perHour(), BigDecimal.ZERO));
        nat.finish();

        LoadBalancerPrices alb = loadBalancer(n.child("alb"), d.alb());
        LoadBalancerPrices nlb = loadBalancer(n.child("nlb"), d.nlb());
        n.finish();
        return new PricingConfig(n.isPresent(), enabled, gbBytes, crossZone, internet, natGateway, alb, nlb);
    }

    private static LoadBalancerPrices loadBalancer(ConfigNode n, LoadBalancerPrices d) {
        LoadBalancerPrices p = new LoadBalancerPrices(
                n.decimal("perHour", d.perHour(), BigDecimal.ZERO),
                n.decimal("perLcuHour", d.perLcuHour(), BigDecimal.ZERO),
                positive(n, "lcuProcessedGbPerHour", d.lcuProcessedGbPerHour()),
                positive(n, "lcuNewConnectionsPerSecond", d.lcuNewConnectionsPerSecond()));
        n.finish();
        return p;
    }

    /** A capacity: the rules divide by it, so zero is as wrong as negative. */
    private static BigDecimal positive(ConfigNode n, String key, BigDecimal def) {
        BigDecimal v = n.decimal(key, def, BigDecimal.ZERO);
        if (v.signum() == 0) {
            n.error(key, "must be greater than 0 (it is a capacity the cost rules divide by)");
            return def;
        }
        return v;
    }
}
