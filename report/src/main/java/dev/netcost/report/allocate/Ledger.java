package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The exact result of an allocation, before any rounding: every dollar considered is either in a pod's
 * account or in an unallocated entry naming its resource, so per cost type
 * {@code sum(pod amounts) + sum(unallocated) = billed} holds exactly.
 */
public final class Ledger {

    /** Money that could not be split, for one resource and cost type, with the reasons and their amounts. */
    public static final class Unallocated {
        private BigDecimal amount = BigDecimal.ZERO;
        private BigDecimal usageGb;
        private final Map<String, BigDecimal> reasons = new LinkedHashMap<>();

        public BigDecimal amount() {
            return amount;
        }

        /** The billed usage in GB, for usage billed by the GB; null otherwise. */
        public BigDecimal usageGb() {
            return usageGb;
        }

        /** Why, and how much for each reason. */
        public Map<String, BigDecimal> reasons() {
            return reasons;
        }
    }

    /**
     * Billed against measured transfer of one resource.
     *
     * @param resource   instance id, NAT gateway id or load balancer name
     * @param usageType  e.g. {@code DataTransfer-Regional-Bytes}
     * @param billedGb   the bill's usage amount
     * @param measuredGb what netcost measured for the pods the line is split over
     */
    public record Coverage(String resource, String usageType, BigDecimal billedGb, BigDecimal measuredGb) {
    }

    private final String source;
    private final int pods;
    private final Map<CostType, BigDecimal[]> podAmounts = new EnumMap<>(CostType.class);
    private final Map<CostType, BigDecimal> billed = new EnumMap<>(CostType.class);
    private final Map<CostType, Map<String, Unallocated>> unallocated = new EnumMap<>(CostType.class);
    private final Map<String, Map<Integer, BigDecimal>> loadBalancerPods = new TreeMap<>();
    private final Map<List<String>, BigDecimal[]> coverage = new LinkedHashMap<>();
    private final Map<List<String>, SetAsideSum> outside = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    private final List<String> warnings = new ArrayList<>();

    /** @param source {@code cur} or {@code list_price}; @param pods the number of pods measured */
    public Ledger(String source, int pods) {
        this.source = source;
        this.pods = pods;
    }

    public String source() {
        return source;
    }

    /** Records that {@code amount} of {@code type} was billed (or estimated) and is to be allocated. */
    void billed(CostType type, BigDecimal amount) {
        billed.merge(type, amount, BigDecimal::add);
    }

    /** Adds {@code amount} to a pod's account; {@code loadBalancer} names the load balancer it came from, or null. */
    void allocate(CostType type, int pod, BigDecimal amount, String loadBalancer) {
        BigDecimal[] row = podAmounts.computeIfAbsent(type, t -> new BigDecimal[pods]);
        row[pod] = row[pod] == null ? amount : row[pod].add(amount);
        if (loadBalancer != null) {
            loadBalancerPods.computeIfAbsent(loadBalancer, k -> new HashMap<>()).merge(pod, amount, BigDecimal::add);
        }
    }

    /**
     * Splits {@code amount} over pods in proportion to {@code weights} (pod index to a positive weight)
     * with {@link ExactSplit} at {@code scale} decimals, and puts each part in its pod's account.
     */
    void split(CostType type, BigDecimal amount, Map<Integer, BigDecimal> weights, int scale, String loadBalancer) {
        int[] podIndex = new int[weights.size()];
        BigDecimal[] w = new BigDecimal[weights.size()];
        int i = 0;
        for (Map.Entry<Integer, BigDecimal> e : weights.entrySet()) {
            podIndex[i] = e.getKey();
            w[i++] = e.getValue();
        }
        BigDecimal[] parts = ExactSplit.split(amount, w, scale);
        for (int k = 0; k < podIndex.length; k++) {
            if (parts[k].signum() > 0) {
                allocate(type, podIndex[k], parts[k], loadBalancer);
            }
        }
    }

    /** Records money of {@code resource} that stays unallocated, and why. */
    void unallocated(CostType type, String resource, BigDecimal amount, BigDecimal usageGb, String reason) {
        Unallocated u = unallocated.computeIfAbsent(type, t -> new TreeMap<>()).computeIfAbsent(resource, r -> new Unallocated());
        u.amount = u.amount.add(amount);
        if (usageGb != null) {
            u.usageGb = u.usageGb == null ? usageGb : u.usageGb.add(usageGb);
        }
        u.reasons.merge(reason, amount, BigDecimal::add);
    }

    /** Adds billed and measured GB for a resource (both known). */
    void coverage(String resource, String usageType, BigDecimal billedGb, BigDecimal measuredGb) {
        BigDecimal[] c = coverage.computeIfAbsent(List.of(resource, usageType),
                k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
        c[0] = c[0].add(billedGb);
        c[1] = c[1].add(measuredGb);
    }

    /** A bill item on a resource outside the cluster: left out, listed. */
    void outside(String reason, String usageType, BigDecimal amount, int lines) {
        SetAsideSum s = outside.computeIfAbsent(List.of(reason, usageType), k -> new SetAsideSum());
        s.amount = s.amount.add(amount);
        s.lines += lines;
    }

    void warn(String warning) {
        if (!warnings.contains(warning)) {
            warnings.add(warning);
        }
    }

    /** The cost types that were billed (or estimated), in enum order. */
    public List<CostType> costTypes() {
        return new ArrayList<>(billed.keySet());
    }

    public BigDecimal billed(CostType type) {
        return billed.getOrDefault(type, BigDecimal.ZERO);
    }

    /** The exact amount in a pod's account for {@code type}; zero when none. */
    public BigDecimal podAmount(CostType type, int pod) {
        BigDecimal[] row = podAmounts.get(type);
        BigDecimal v = row == null ? null : row[pod];
        return v == null ? BigDecimal.ZERO : v;
    }

    /** Per cost type, unallocated money by resource name (sorted). */
    public Map<String, Unallocated> unallocated(CostType type) {
        return unallocated.getOrDefault(type, Map.of());
    }

    /** Per load balancer name, the amounts its pods received. */
    public Map<String, Map<Integer, BigDecimal>> loadBalancerPods() {
        return loadBalancerPods;
    }

    public List<Coverage> coverage() {
        List<Coverage> out = new ArrayList<>();
        coverage.forEach((k, v) -> out.add(new Coverage(k.get(0), k.get(1), v[0], v[1])));
        return out;
    }

    /** Network items on resources outside the cluster, added up per reason and usage type. */
    public List<SetAside> outside() {
        List<SetAside> out = new ArrayList<>();
        outside.forEach((k, v) -> out.add(new SetAside(k.get(0), "Usage", k.get(1), v.lines, v.amount)));
        return out;
    }

    public List<String> warnings() {
        return warnings;
    }

    private static final class SetAsideSum {
        BigDecimal amount = BigDecimal.ZERO;
        long lines;
    }
}
