package dev.netcost.report.measure;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The price book as the {@code netcost_price_*} series gave it, hour by hour, per cluster. A price is
 * looked up for the cluster of the pod or load balancer it applies to, then for series without a
 * {@code cluster} label; absent means absent (no price, no list-price cost), never zero.
 */
public final class PriceBook {
    /** {@code netcost_price_usd_per_gb{resource}}: cross_zone, internet_egress, nat_gateway. */
    public static final String USD_PER_GB = "netcost_price_usd_per_gb";
    /** {@code netcost_price_usd_per_hour{resource, load_balancer_type}}: load_balancer, lcu, nat_gateway. */
    public static final String USD_PER_HOUR = "netcost_price_usd_per_hour";
    /** {@code netcost_lcu_capacity_per_second{load_balancer_type, dimension}}. */
    public static final String LCU_CAPACITY = "netcost_lcu_capacity_per_second";
    /** {@code netcost_price_gb_bytes}: bytes in one billed GB. */
    public static final String GB_BYTES = "netcost_price_gb_bytes";

    /** Bytes in one GB when {@code netcost_price_gb_bytes} is absent: AWS bills transfer in GiB. */
    public static final BigDecimal DEFAULT_GB_BYTES = BigDecimal.valueOf(1L << 30);

    /**
     * One price series.
     *
     * @param metric one of the constants above
     * @param key    resource (per GB, per hour) or dimension (capacity); "" for GB_BYTES
     * @param type   load_balancer_type, or ""
     */
    record Key(String cluster, String metric, String key, String type) {
    }

    private final int hours;
    private final Map<Key, BigDecimal[]> series = new HashMap<>();

    public PriceBook(int hours) {
        this.hours = hours;
    }

    /** Records one hourly value (the builder side, used while loading). */
    public void put(String cluster, String metric, String key, String type, int hour, BigDecimal value) {
        Objects.requireNonNull(value, "value");
        series.computeIfAbsent(new Key(cluster, metric, key, type), k -> new BigDecimal[hours])[hour] = value;
    }

    public boolean isEmpty() {
        return series.isEmpty();
    }

    /** Whether any series of {@code metric} was seen. */
    public boolean has(String metric) {
        return series.keySet().stream().anyMatch(k -> k.metric().equals(metric));
    }

    /** USD per GB of {@code resource} in hour {@code h}, or null. */
    public BigDecimal perGb(String cluster, String resource, int h) {
        return get(cluster, USD_PER_GB, resource, "", h);
    }

    /** USD per hour of {@code resource} (of {@code lbType}, or "" for nat_gateway) in hour {@code h}, or null. */
    public BigDecimal perHour(String cluster, String resource, String lbType, int h) {
        return get(cluster, USD_PER_HOUR, resource, lbType, h);
    }

    /** Per-second capacity of one LCU in {@code dimension} (processed_bytes, new_connections), or null. */
    public BigDecimal lcuCapacity(String cluster, String lbType, String dimension, int h) {
        return get(cluster, LCU_CAPACITY, dimension, lbType, h);
    }

    /** Bytes in one GB in hour {@code h}: the series, or {@link #DEFAULT_GB_BYTES}. */
    public BigDecimal gbBytes(String cluster, int h) {
        BigDecimal v = get(cluster, GB_BYTES, "", "", h);
        return v == null || v.signum() <= 0 ? DEFAULT_GB_BYTES : v;
    }

    private BigDecimal get(String cluster, String metric, String key, String type, int h) {
        BigDecimal[] values = series.get(new Key(cluster, metric, key, type));
        BigDecimal v = values == null ? null : values[h];
        if (v == null && !cluster.isEmpty()) {
            values = series.get(new Key("", metric, key, type));
            v = values == null ? null : values[h];
        }
        return v;
    }
}
