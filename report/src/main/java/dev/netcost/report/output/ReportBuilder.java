package dev.netcost.report.output;

import dev.netcost.report.allocate.Apportionment;
import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.CostType;
import dev.netcost.report.allocate.Ledger;
import dev.netcost.report.allocate.SetAside;
import dev.netcost.report.measure.Grouping;
import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.LoadBalancerTraffic;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.PodMeasure;
import dev.netcost.report.measure.PodRef;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Turns an exact {@link Ledger} into a {@link Report}: groups, rounding that adds up, and the views. */
public final class ReportBuilder {
    static final int GB_SCALE = 6;
    static final int TOP_TALKERS = 10;

    private final Measurements m;
    private final Grouping grouping;
    private final int precision;
    private final String[] groupOfPod;

    private ReportBuilder(Measurements m, Grouping grouping, int precision) {
        this.m = m;
        this.grouping = grouping;
        this.precision = precision;
        List<PodRef> pods = m.pods();
        this.groupOfPod = new String[pods.size()];
        for (int i = 0; i < pods.size(); i++) {
            groupOfPod[i] = grouping.groupOf(pods.get(i), m);
        }
    }

    /**
     * @param bill      the CUR's bill (for what it set aside), or null for list prices
     * @param sources   what the numbers came from (files, URL)
     * @param precision decimal places of dollar amounts
     */
    public static Report build(Measurements m, Ledger ledger, Bill bill, Grouping grouping, int precision,
                               List<String> sources, List<String> warnings, Instant now) {
        return new ReportBuilder(m, grouping, precision).report(ledger, bill, sources, warnings, now);
    }

    private Report report(Ledger ledger, Bill bill, List<String> sources, List<String> warningsIn, Instant now) {
        Map<CostType, List<String>> groupsByType = new EnumMap<>(CostType.class);
        Map<CostType, List<BigDecimal>> exact = new LinkedHashMap<>();
        Map<CostType, Map<String, BigDecimal>> usage = new EnumMap<>(CostType.class);
        for (CostType type : ledger.costTypes()) {
            Map<String, BigDecimal> amounts = new HashMap<>();
            for (int p = 0; p < groupOfPod.length; p++) {
                BigDecimal a = ledger.podAmount(type, p);
                if (a.signum() > 0) {
                    amounts.merge(groupOfPod[p], a, BigDecimal::add);
                }
            }
            Map<String, BigDecimal> gb = usageGb(type);
            gb.keySet().forEach(g -> amounts.putIfAbsent(g, BigDecimal.ZERO));
            usage.put(type, gb);
            List<String> groups = new ArrayList<>(amounts.keySet());
            groups.sort(Comparator.<String, BigDecimal>comparing(amounts::get).reversed().thenComparing(g -> g));
            List<BigDecimal> values = new ArrayList<>();
            for (String g : groups) {
                values.add(amounts.get(g));
            }
            List<String> names = new ArrayList<>(groups);
            List<Map.Entry<String, Ledger.Unallocated>> unallocated = new ArrayList<>(ledger.unallocated(type).entrySet());
            unallocated.sort(Comparator.<Map.Entry<String, Ledger.Unallocated>, BigDecimal>comparing(e -> e.getValue().amount())
                    .reversed().thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, Ledger.Unallocated> e : unallocated) {
                names.add(Report.UNALLOCATED + e.getKey());
                values.add(e.getValue().amount());
            }
            groupsByType.put(type, names);
            exact.put(type, values);
        }
        Apportionment.Result<CostType> rounded = Apportionment.round(exact, precision);
        List<Report.Row> rows = new ArrayList<>();
        List<Report.CostTypeTotal> typeTotals = new ArrayList<>();
        BigDecimal allocatedTotal = zero();
        BigDecimal unallocatedTotal = zero();
        BigDecimal billedExact = BigDecimal.ZERO;
        for (CostType type : ledger.costTypes()) {
            List<String> names = groupsByType.get(type);
            List<BigDecimal> amounts = rounded.rows().get(type);
            BigDecimal allocated = zero();
            BigDecimal unallocated = zero();
            for (int i = 0; i < names.size(); i++) {
                String g = names.get(i);
                BigDecimal amount = amounts.get(i);
                if (g.startsWith(Report.UNALLOCATED)) {
                    Ledger.Unallocated u = ledger.unallocated(type).get(g.substring(Report.UNALLOCATED.length()));
                    rows.add(new Report.Row(g, type, gb(u.usageGb()), zero(), amount, List.copyOf(u.reasons().keySet())));
                    unallocated = unallocated.add(amount);
                } else {
                    rows.add(new Report.Row(g, type, gb(usage.get(type).getOrDefault(g, BigDecimal.ZERO)), amount, amount,
                            List.of()));
                    allocated = allocated.add(amount);
                }
            }
            typeTotals.add(new Report.CostTypeTotal(type, rounded.totals().get(type), allocated, unallocated));
            allocatedTotal = allocatedTotal.add(allocated);
            unallocatedTotal = unallocatedTotal.add(unallocated);
            billedExact = billedExact.add(ledger.billed(type));
        }
        Report.Totals totals = new Report.Totals(typeTotals, rounded.total(), allocatedTotal, unallocatedTotal, billedExact);

        List<SetAside> setAside = new ArrayList<>();
        if (bill != null) {
            setAside.addAll(bill.setAside());
        }
        setAside.addAll(ledger.outside());
        List<String> warnings = new ArrayList<>(warningsIn);
        warnings.addAll(ledger.warnings());
        return new Report(m.window(), grouping.toString(), ledger.source(), precision, rows, totals,
                coverage(ledger), setAside, loadBalancers(ledger), talkers(ledger), sources, warnings, now);
    }

    /** Per group, the measured GB behind a cost type over the whole window. */
    private Map<String, BigDecimal> usageGb(CostType type) {
        Map<String, Double> bytes = new HashMap<>();
        if (type == CostType.LOAD_BALANCER) {
            for (LoadBalancerTraffic t : m.loadBalancers().values()) {
                t.bytes().forEach((p, v) -> bytes.merge(groupOfPod[p], sum(v), Double::sum));
            }
        } else {
            PodMeasure measure = switch (type) {
                case CROSS_ZONE -> PodMeasure.CROSS_ZONE;
                case INTERNET_EGRESS -> PodMeasure.INTERNET_EGRESS;
                default -> PodMeasure.INTERNET;
            };
            for (int p = 0; p < groupOfPod.length; p++) {
                double[] v = m.bytes(measure, p);
                if (v != null) {
                    bytes.merge(groupOfPod[p], sum(v), Double::sum);
                }
            }
        }
        BigDecimal gbBytes = m.prices().gbBytes("", 0);
        Map<String, BigDecimal> out = new HashMap<>();
        bytes.forEach((g, b) -> {
            if (b > 0) {
                out.put(g, BigDecimal.valueOf(b).divide(gbBytes, MathContext.DECIMAL128));
            }
        });
        return out;
    }

    private List<Report.Coverage> coverage(Ledger ledger) {
        List<Report.Coverage> out = new ArrayList<>();
        List<Ledger.Coverage> sorted = new ArrayList<>(ledger.coverage());
        sorted.sort(Comparator.comparing(Ledger.Coverage::resource).thenComparing(Ledger.Coverage::usageType));
        for (Ledger.Coverage c : sorted) {
            BigDecimal ratio = c.billedGb().signum() > 0
                    ? c.measuredGb().divide(c.billedGb(), 4, RoundingMode.HALF_UP) : null;
            out.add(new Report.Coverage(c.resource(), c.usageType(), gb(c.billedGb()), gb(c.measuredGb()), ratio));
        }
        return out;
    }

    private List<Report.LoadBalancerSplit> loadBalancers(Ledger ledger) {
        Map<String, Map<String, BigDecimal>> byLb = new TreeMap<>();
        ledger.loadBalancerPods().forEach((lb, pods) -> {
            Map<String, BigDecimal> groups = byLb.computeIfAbsent(lb, k -> new HashMap<>());
            pods.forEach((p, a) -> groups.merge(groupOfPod[p], a, BigDecimal::add));
        });
        ledger.unallocated(CostType.LOAD_BALANCER).forEach((lb, u) ->
                byLb.computeIfAbsent(lb, k -> new HashMap<>()).merge("unallocated", u.amount(), BigDecimal::add));
        for (LoadBalancerRef lb : m.loadBalancers().keySet()) {
            byLb.computeIfAbsent(lb.name(), k -> new HashMap<>());
        }
        List<Report.LoadBalancerSplit> out = new ArrayList<>();
        byLb.forEach((lb, groups) -> {
            List<String> names = new ArrayList<>(groups.keySet());
            names.sort(Comparator.<String, BigDecimal>comparing(groups::get).reversed().thenComparing(g -> g));
            Map<String, List<BigDecimal>> one = Map.of("lb", names.stream().map(groups::get).toList());
            Apportionment.Result<String> r = Apportionment.round(one, precision);
            BigDecimal exactTotal = groups.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            List<Report.Share> shares = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                BigDecimal fraction = exactTotal.signum() == 0 ? BigDecimal.ZERO
                        : groups.get(names.get(i)).divide(exactTotal, 6, RoundingMode.HALF_UP);
                shares.add(new Report.Share(names.get(i), r.rows().get("lb").get(i), fraction));
            }
            out.add(new Report.LoadBalancerSplit(lb, r.total(), shares));
        });
        return out;
    }

    private List<Report.Talker> talkers(Ledger ledger) {
        Map<String, Double> bytes = new HashMap<>();
        Map<String, BigDecimal> usd = new HashMap<>();
        List<PodRef> pods = m.pods();
        for (int p = 0; p < pods.size(); p++) {
            double[] v = m.bytes(PodMeasure.CROSS_ZONE, p);
            if (v == null) {
                continue;
            }
            String w = Grouping.parse("workload").groupOf(pods.get(p), m);
            bytes.merge(w, sum(v), Double::sum);
            usd.merge(w, ledger.podAmount(CostType.CROSS_ZONE, p), BigDecimal::add);
        }
        BigDecimal gbBytes = m.prices().gbBytes("", 0);
        return bytes.entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry::getKey))
                .limit(TOP_TALKERS)
                .map(e -> new Report.Talker(e.getKey(),
                        gb(BigDecimal.valueOf(e.getValue()).divide(gbBytes, MathContext.DECIMAL128)),
                        usd.get(e.getKey()).setScale(precision, RoundingMode.HALF_UP)))
                .toList();
    }

    private BigDecimal zero() {
        return BigDecimal.ZERO.setScale(precision);
    }

    private static BigDecimal gb(BigDecimal v) {
        return v == null ? null : v.setScale(GB_SCALE, RoundingMode.HALF_UP);
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
