package dev.netcost.demo;

import dev.netcost.demo.DemoPlan.AlbShare;
import dev.netcost.demo.DemoPlan.Flow;
import dev.netcost.report.allocate.CostType;
import dev.netcost.report.output.Report;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** What {@code netcost demo --check} verifies; each check is pure, from figures the demo gathered. */
final class DemoChecks {
    /** Measured bytes may exceed the payload by the IP and TCP headers, at most this much. */
    static final double HEADER_ALLOWANCE = 0.10;
    /** The ALB's measured split may differ from the planned one by this much, relative. */
    static final double SPLIT_TOLERANCE = 0.05;
    /** The rules' figures and the report's list prices may differ by this much, relative. */
    static final double RULES_TOLERANCE = 0.01;

    /** One verdict. */
    record Check(String name, boolean passed, String detail) {
        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + name + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private DemoChecks() {
    }

    /** Every planned request was answered, and carried exactly the planned payload. */
    static List<Check> traffic(TrafficResults results) {
        List<Check> out = new ArrayList<>();
        for (Flow f : DemoPlan.FLOWS) {
            TrafficResults.Job j = results.job(f.job().id());
            String name = "traffic " + f.job().id() + ": every planned request answered";
            if (j == null) {
                out.add(new Check(name, false, "its client reported nothing"));
                continue;
            }
            boolean ok = j.ok() == f.job().count() && j.failed() == 0 && j.sent() == f.job().requestBytes()
                    && j.received() == f.job().responseBytes();
            out.add(new Check(name, ok, j.ok() + "/" + f.job().count() + " requests, " + j.sent() + " bytes sent (planned "
                    + f.job().requestBytes() + "), " + j.received() + " received (planned " + f.job().responseBytes() + ")"
                    + (j.errors().isEmpty() ? "" : "; errors: " + String.join("; ", j.errors()))));
        }
        return out;
    }

    /** A byte counter measured on the wire: at least the payload, at most the payload plus headers. */
    static Check bytesWithin(String what, double measured, long payload) {
        double high = payload * (1 + HEADER_ALLOWANCE);
        boolean ok = !Double.isNaN(measured) && measured >= payload && measured <= high;
        return new Check(what, ok, String.format(Locale.ROOT, "%.0f bytes measured, payload %d (allowed %d .. %.0f, +%.1f %%)",
                measured, payload, payload, high, Double.isNaN(measured) ? Double.NaN : 100.0 * (measured - payload) / payload));
    }

    /** A counter that must equal the planned count. */
    static Check exactly(String what, double measured, long expected) {
        return new Check(what, measured == expected, String.format(Locale.ROOT, "%.0f measured, %d planned", measured, expected));
    }

    /**
     * The ALB's cost as the report split it over the teams (the bill, by {@code label:team}), against the
     * planned LCU-weighted shares. Shares are among the teams: an hour in which the ALB idled stays
     * unallocated and is not a team's.
     */
    static List<Check> albSplit(Report byTeam, String loadBalancer, List<AlbShare> planned) {
        Map<String, BigDecimal> measured = teamShares(byTeam, loadBalancer);
        List<Check> out = new ArrayList<>();
        for (AlbShare p : planned) {
            BigDecimal m = measured.get(p.team());
            String name = "ALB split: team " + p.team() + " within " + pct(SPLIT_TOLERANCE) + " of the planned share";
            if (m == null) {
                out.add(new Check(name, false, "the report gives team " + p.team() + " no part of " + loadBalancer));
                continue;
            }
            double rel = m.doubleValue() / p.lcu().doubleValue() - 1;
            out.add(new Check(name, Math.abs(rel) <= SPLIT_TOLERANCE, String.format(Locale.ROOT,
                    "%s of the teams' part, planned %s (%+.1f %%)", pct(m), pct(p.lcu()), 100 * rel)));
        }
        return out;
    }

    /** Each team's fraction of what the teams were given of {@code loadBalancer} (unallocated left out). */
    static Map<String, BigDecimal> teamShares(Report byTeam, String loadBalancer) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        for (Report.LoadBalancerSplit lb : byTeam.loadBalancers()) {
            if (!lb.loadBalancer().equals(loadBalancer)) {
                continue;
            }
            BigDecimal teams = BigDecimal.ZERO;
            for (Report.Share s : lb.shares()) {
                if (!s.group().equals("unallocated")) {
                    teams = teams.add(s.fraction());
                }
            }
            for (Report.Share s : lb.shares()) {
                if (!s.group().equals("unallocated") && teams.signum() > 0) {
                    out.put(s.group(), s.fraction().divide(teams, MathContext.DECIMAL64));
                }
            }
        }
        return out;
    }

    /** The report accounts for the demo bill exactly: billed = the bill, allocated + unallocated = billed. */
    static List<Check> bill(Report cur, BigDecimal billTotal) {
        List<Check> out = new ArrayList<>();
        Report.Totals t = cur.totals();
        out.add(new Check("bill: the report read the whole demo bill", t.billedExact().compareTo(billTotal) == 0,
                "billed " + t.billedExact().toPlainString() + " USD, the demo bill " + billTotal.toPlainString() + " USD"));
        BigDecimal cents = billTotal.setScale(2, RoundingMode.HALF_UP);
        out.add(new Check("bill: allocated + unallocated = billed, to the cent",
                t.allocated().add(t.unallocated()).compareTo(t.billed()) == 0
                        && t.billed().setScale(2, RoundingMode.HALF_UP).compareTo(cents) == 0,
                t.allocated().toPlainString() + " + " + t.unallocated().toPlainString() + " = " + t.billed().toPlainString()
                        + " USD (bill " + cents.toPlainString() + ")"));
        for (Report.CostTypeTotal c : t.byCostType()) {
            out.add(new Check("bill: " + c.costType().label() + " allocated + unallocated = billed",
                    c.allocated().add(c.unallocated()).compareTo(c.billed()) == 0,
                    c.allocated().toPlainString() + " + " + c.unallocated().toPlainString() + " = " + c.billed().toPlainString()));
        }
        return out;
    }

    /**
     * The recording rules' outputs, evaluated once every sample of the demo lies within their 5-minute
     * rate window: {@code rate(x[5m]) × 300 s} is then the same extrapolated increase the report reads with
     * {@code increase(x[1h])} for the demo's hour, so $/h × 300/3600 is the report's dollar figure for
     * the per-GB cost types. A load balancer's cost is its hourly price plus its LCUs: the report bills a
     * whole hour per hour with traffic and the LCU-hours the hour's traffic made, both split by the same
     * shares as the rules', so the rules give {@code share × (hourly price × hours + LCUs × 300/3600 × LCU
     * price)}.
     */
    record RuleSnapshot(Map<String, Map<CostType, Double>> perHour, double albLcu, double albCostPerHour,
                        Map<String, Double> albPerHourByNamespace, double hourlyPrice, double lcuPrice, int albHours) {
        static final double WINDOW_HOURS = 300.0 / 3600;

        /** What the report should say for {@code namespace} and {@code type}, or NaN when the rules say nothing. */
        double expected(String namespace, CostType type) {
            if (type == CostType.LOAD_BALANCER) {
                Double ns = albPerHourByNamespace.get(namespace);
                if (ns == null || albCostPerHour <= 0) {
                    return Double.NaN;
                }
                return ns / albCostPerHour * (hourlyPrice * albHours + albLcu * WINDOW_HOURS * lcuPrice);
            }
            Double v = perHour.getOrDefault(namespace, Map.of()).get(type);
            return v == null ? Double.NaN : v * WINDOW_HOURS;
        }
    }

    /** Each namespace and cost type of the list-price report against the rules' figure, and the totals. */
    static List<Check> rules(Report listPrice, RuleSnapshot rules) {
        Map<String, Map<CostType, Double>> report = new LinkedHashMap<>();
        for (Report.Row r : listPrice.rows()) {
            if (!r.isUnallocated()) {
                report.computeIfAbsent(r.group(), k -> new LinkedHashMap<>()).merge(r.costType(), r.allocated().doubleValue(),
                        Double::sum);
            }
        }
        TreeSet<String> namespaces = new TreeSet<>(report.keySet());
        namespaces.addAll(rules.perHour().keySet());
        List<Check> out = new ArrayList<>();
        double reportTotal = 0;
        double rulesTotal = 0;
        for (String ns : namespaces) {
            for (CostType type : CostType.values()) {
                Double rep = report.getOrDefault(ns, Map.of()).get(type);
                double exp = rules.expected(ns, type);
                // A pod whose counters did not move costs a true 0 in the rules; the report has no row for it.
                if ((rep == null || rep == 0) && (Double.isNaN(exp) || exp == 0)) {
                    continue;
                }
                String name = "rules vs report: " + ns + " " + type.label();
                if (rep == null || Double.isNaN(exp)) {
                    out.add(new Check(name, false, rep == null ? "the rules record " + usd(exp) + ", the report nothing"
                            : "the report says " + usd(rep) + ", the rules record nothing"));
                    continue;
                }
                reportTotal += rep;
                rulesTotal += exp;
                out.add(agree(name, rep, exp));
            }
        }
        out.add(agree("rules vs report: total", reportTotal, rulesTotal));
        return out;
    }

    private static Check agree(String name, double report, double rules) {
        double rel = rules == 0 ? (report == 0 ? 0 : 1) : report / rules - 1;
        return new Check(name + " within " + pct(RULES_TOLERANCE), Math.abs(rel) <= RULES_TOLERANCE,
                String.format(Locale.ROOT, "report %s, rules %s (%+.3f %%)", usd(report), usd(rules), 100 * rel));
    }

    /** Nothing of the demo is left: namespaces, processes, its temporary directory, nft tables in the host. */
    static List<Check> leftovers(List<String> namespaces, List<Long> alivePids, boolean tempDirExists, String hostTablesBefore,
                                 String hostTablesAfter) {
        return List.of(
                new Check("cleanup: no network namespace left", namespaces.isEmpty(), String.join(" ", namespaces)),
                new Check("cleanup: no process left", alivePids.isEmpty(), alivePids.isEmpty() ? "" : "still running: " + alivePids),
                new Check("cleanup: temporary directory removed", !tempDirExists, ""),
                new Check("cleanup: the host's nftables tables unchanged", hostTablesBefore.equals(hostTablesAfter),
                        hostTablesBefore.equals(hostTablesAfter) ? "" : "before: " + hostTablesBefore.strip() + "; after: "
                                + hostTablesAfter.strip()));
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }

    static String pct(BigDecimal fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction.doubleValue());
    }

    static String usd(double v) {
        return String.format(Locale.ROOT, "$%.8f", v);
    }
}
