package dev.netcost.report.output;

import dev.netcost.report.allocate.CostType;
import dev.netcost.report.allocate.SetAside;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML file: inline CSS and SVG, no script, nothing fetched. A stacked bar per
 * group by cost type, each load balancer's split, the cross-zone top talkers, the totals check, the
 * coverage, what was left out, and the rows exactly as in the CSV.
 */
final class HtmlRenderer {
    static final int MAX_BARS = 25;
    private static final int CHART_WIDTH = 860;
    private static final int LABEL_WIDTH = 260;
    private static final int BAR_HEIGHT = 18;
    private static final int BAR_GAP = 6;
    private static final Map<CostType, String> COLORS = new EnumMap<>(Map.of(
            CostType.CROSS_ZONE, "#4e79a7",
            CostType.INTERNET_EGRESS, "#f28e2b",
            CostType.NAT_GATEWAY, "#e15759",
            CostType.LOAD_BALANCER, "#59a14f"));
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    private static final String UNALLOCATED_COLOR = "#9e9e9e";

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:960px;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
            .meta{color:#57606a}.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}
            table{border-collapse:collapse;width:100%;margin:6px 0}th,td{padding:3px 8px;border-bottom:1px solid #eaeef2;text-align:left}
            th{background:#f6f8fa;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            .legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px}
            svg text{font:12px system-ui,sans-serif;fill:#1f2328}.muted{color:#57606a}
            """;

    private HtmlRenderer() {
    }

    static void render(Report r, Writer out) throws IOException {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<title>netcost report ").append(esc(r.window().start().toString())).append("</title><style>")
                .append(CSS).append("</style></head><body>\n");
        h.append("<h1>netcost: network cost by ").append(esc(r.by())).append("</h1>\n<p class=\"meta\">")
                .append(esc(r.window().start().toString())).append(" to ").append(esc(r.window().end().toString()))
                .append(" (").append(r.window().hours()).append(" hours) &middot; source: ")
                .append(r.source().equals("cur") ? "AWS Cost and Usage Report" : "list prices (no bill given)")
                .append(" &middot; US dollars &middot; made ").append(esc(r.generatedAt().toString())).append("</p>\n");
        totals(r, h);
        groupBars(r, h);
        loadBalancers(r, h);
        talkers(r, h);
        coverage(r, h);
        rows(r, h);
        setAside(r, h);
        if (!r.warnings().isEmpty()) {
            h.append("<h2>Warnings</h2><ul>");
            r.warnings().forEach(w -> h.append("<li>").append(esc(w)).append("</li>"));
            h.append("</ul>\n");
        }
        if (!r.sources().isEmpty()) {
            h.append("<p class=\"muted\">Read from: ").append(esc(String.join(", ", r.sources()))).append("</p>\n");
        }
        h.append("</body></html>\n");
        out.write(h.toString());
    }

    private static void totals(Report r, StringBuilder h) {
        Report.Totals t = r.totals();
        boolean ok = t.allocated().add(t.unallocated()).compareTo(t.billed()) == 0;
        String billed = r.source().equals("cur") ? "billed" : "list price";
        h.append("<h2>Totals</h2>\n<table id=\"totals\"><tr><th>cost type</th><th class=\"n\">").append(billed).append("</th>")
                .append("<th class=\"n\">allocated</th><th class=\"n\">unallocated</th></tr>\n");
        for (Report.CostTypeTotal c : t.byCostType()) {
            h.append("<tr><td><span class=\"sw\" style=\"background:").append(COLORS.get(c.costType())).append("\"></span>")
                    .append(c.costType().label()).append("</td>").append(num(c.billed())).append(num(c.allocated()))
                    .append(num(c.unallocated())).append("</tr>\n");
        }
        h.append("<tr><th>total</th>").append(numHead(t.billed())).append(numHead(t.allocated()))
                .append(numHead(t.unallocated())).append("</tr></table>\n<p id=\"check\" class=\"")
                .append(ok ? "ok\">&#10003; allocated + unallocated = " + billed + ", per cost type and in total"
                        : "bad\">&#10007; allocated + unallocated does not equal " + billed)
                .append("</p>\n");
    }

    private static void groupBars(Report r, StringBuilder h) {
        Map<String, Map<CostType, BigDecimal>> groups = new LinkedHashMap<>();
        BigDecimal unallocated = BigDecimal.ZERO;
        for (Report.Row row : r.rows()) {
            if (row.isUnallocated()) {
                unallocated = unallocated.add(row.billed());
            } else if (row.allocated().signum() > 0) {
                groups.computeIfAbsent(row.group(), g -> new EnumMap<>(CostType.class)).merge(row.costType(), row.allocated(), BigDecimal::add);
            }
        }
        List<Map.Entry<String, Map<CostType, BigDecimal>>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort((a, b) -> sum(b.getValue()).compareTo(sum(a.getValue())));
        if (sorted.size() > MAX_BARS) {
            Map<CostType, BigDecimal> rest = new EnumMap<>(CostType.class);
            int others = sorted.size() - (MAX_BARS - 1);
            for (Map.Entry<String, Map<CostType, BigDecimal>> e : sorted.subList(MAX_BARS - 1, sorted.size())) {
                e.getValue().forEach((t, v) -> rest.merge(t, v, BigDecimal::add));
            }
            sorted = new ArrayList<>(sorted.subList(0, MAX_BARS - 1));
            sorted.add(Map.entry(others + " more groups", rest));
        }
        if (unallocated.signum() > 0) {
            Map<CostType, BigDecimal> u = new EnumMap<>(CostType.class);
            for (Report.Row row : r.rows()) {
                if (row.isUnallocated()) {
                    u.merge(row.costType(), row.billed(), BigDecimal::add);
                }
            }
            sorted.add(Map.entry("unallocated", u));
        }
        h.append("<h2>Cost per ").append(esc(r.by())).append(" by cost type</h2>\n");
        if (sorted.isEmpty()) {
            h.append("<p class=\"muted\">Nothing allocated in this window.</p>\n");
            return;
        }
        BigDecimal max = sorted.stream().map(e -> sum(e.getValue())).max(BigDecimal::compareTo).orElse(BigDecimal.ONE);
        int height = sorted.size() * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
        h.append("<svg id=\"groups\" width=\"").append(CHART_WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"cost per group by cost type\">\n");
        int y = BAR_GAP;
        int barSpace = CHART_WIDTH - LABEL_WIDTH - 90;
        for (Map.Entry<String, Map<CostType, BigDecimal>> e : sorted) {
            h.append("<text x=\"").append(LABEL_WIDTH - 6).append("\" y=\"").append(y + 13)
                    .append("\" text-anchor=\"end\">").append(esc(shorten(e.getKey(), 38))).append("</text>");
            double x = LABEL_WIDTH;
            for (CostType t : CostType.values()) {
                BigDecimal v = e.getValue().get(t);
                if (v == null || v.signum() <= 0) {
                    continue;
                }
                double w = width(v, max, barSpace);
                h.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(y).append("\" width=\"").append(fmt(w))
                        .append("\" height=\"").append(BAR_HEIGHT).append("\" fill=\"")
                        .append(e.getKey().equals("unallocated") ? UNALLOCATED_COLOR : COLORS.get(t))
                        .append("\"><title>").append(esc(e.getKey())).append(" ").append(t.label()).append(": $")
                        .append(v.toPlainString()).append("</title></rect>");
                x += w;
            }
            h.append("<text x=\"").append(fmt(x + 6)).append("\" y=\"").append(y + 13).append("\">$")
                    .append(sum(e.getValue()).toPlainString()).append("</text>\n");
            y += BAR_HEIGHT + BAR_GAP;
        }
        h.append("</svg>\n<p class=\"legend\">");
        for (Report.CostTypeTotal c : r.totals().byCostType()) {
            h.append("<span><span class=\"sw\" style=\"background:").append(COLORS.get(c.costType())).append("\"></span>")
                    .append(c.costType().label()).append("</span>");
        }
        if (unallocated.signum() > 0) {
            h.append("<span><span class=\"sw\" style=\"background:").append(UNALLOCATED_COLOR).append("\"></span>unallocated</span>");
        }
        h.append("</p>\n");
    }

    private static void loadBalancers(Report r, StringBuilder h) {
        h.append("<h2>Shared load balancers: who pays for each</h2>\n");
        if (r.loadBalancers().isEmpty()) {
            h.append("<p class=\"muted\">No load balancer cost in this window.</p>\n");
            return;
        }
        for (Report.LoadBalancerSplit lb : r.loadBalancers()) {
            h.append("<h3>").append(esc(lb.loadBalancer())).append(" &middot; $").append(lb.total().toPlainString()).append("</h3>\n");
            if (lb.total().signum() <= 0) {
                h.append("<p class=\"muted\">Traffic measured, but no cost for it in this window.</p>\n");
                continue;
            }
            int barWidth = CHART_WIDTH - 20;
            h.append("<svg class=\"lb\" width=\"").append(CHART_WIDTH).append("\" height=\"26\" viewBox=\"0 0 ")
                    .append(CHART_WIDTH).append(" 26\" role=\"img\" aria-label=\"split of ").append(esc(lb.loadBalancer())).append("\">");
            double x = 0;
            int i = 0;
            StringBuilder legend = new StringBuilder("<p class=\"legend\">");
            for (Report.Share s : lb.shares()) {
                String color = s.group().equals("unallocated") ? UNALLOCATED_COLOR : PALETTE[i++ % PALETTE.length];
                double w = s.fraction().doubleValue() * barWidth; // exact shares, not rounded cents
                h.append("<rect x=\"").append(fmt(x)).append("\" y=\"2\" width=\"").append(fmt(w))
                        .append("\" height=\"22\" fill=\"").append(color).append("\"><title>").append(esc(s.group()))
                        .append(": $").append(s.amount().toPlainString()).append("</title></rect>");
                x += w;
                legend.append("<span><span class=\"sw\" style=\"background:").append(color).append("\"></span>")
                        .append(esc(s.group())).append(" $").append(s.amount().toPlainString()).append(" (")
                        .append(s.fraction().movePointRight(2).setScale(1, RoundingMode.HALF_UP).toPlainString()).append("%)</span>");
            }
            h.append("</svg>\n").append(legend).append("</p>\n");
        }
    }

    private static void talkers(Report r, StringBuilder h) {
        h.append("<h2>Cross-zone top talkers</h2>\n");
        if (r.crossZoneTalkers().isEmpty()) {
            h.append("<p class=\"muted\">No cross-zone traffic measured.</p>\n");
            return;
        }
        BigDecimal max = r.crossZoneTalkers().get(0).gb();
        int height = r.crossZoneTalkers().size() * (BAR_HEIGHT + BAR_GAP) + BAR_GAP;
        h.append("<svg id=\"talkers\" width=\"").append(CHART_WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"workloads by cross-zone GB\">\n");
        int y = BAR_GAP;
        for (Report.Talker t : r.crossZoneTalkers()) {
            double w = max.signum() > 0 ? width(t.gb(), max, CHART_WIDTH - LABEL_WIDTH - 190) : 0;
            h.append("<text x=\"").append(LABEL_WIDTH - 6).append("\" y=\"").append(y + 13).append("\" text-anchor=\"end\">")
                    .append(esc(shorten(t.workload(), 38))).append("</text><rect x=\"").append(LABEL_WIDTH).append("\" y=\"")
                    .append(y).append("\" width=\"").append(fmt(w)).append("\" height=\"").append(BAR_HEIGHT)
                    .append("\" fill=\"").append(COLORS.get(CostType.CROSS_ZONE)).append("\"/><text x=\"")
                    .append(fmt(LABEL_WIDTH + w + 6)).append("\" y=\"").append(y + 13).append("\">")
                    .append(t.gb().setScale(3, RoundingMode.HALF_UP).toPlainString()).append(" GB &middot; $")
                    .append(t.usd().toPlainString()).append("</text>\n");
            y += BAR_HEIGHT + BAR_GAP;
        }
        h.append("</svg>\n");
    }

    private static void coverage(Report r, StringBuilder h) {
        if (r.coverage().isEmpty()) {
            return;
        }
        h.append("<h2>Coverage: billed against measured transfer</h2>\n<table id=\"coverage\"><tr><th>resource</th>")
                .append("<th>usage type</th><th class=\"n\">billed GB</th><th class=\"n\">measured GB</th><th class=\"n\">coverage</th></tr>\n");
        for (Report.Coverage c : r.coverage()) {
            h.append("<tr><td>").append(esc(c.resource())).append("</td><td>").append(esc(c.usageType())).append("</td>")
                    .append(num(c.billedGb())).append(num(c.measuredGb())).append("<td class=\"n\">")
                    .append(c.ratio() == null ? "" : c.ratio().movePointRight(2).stripTrailingZeros().toPlainString() + "%")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void rows(Report r, StringBuilder h) {
        h.append("<h2>Allocation</h2>\n<table id=\"allocation\"><thead><tr>");
        for (String col : CsvRenderer.HEADER.split(",")) {
            h.append("<th").append(col.equals("group") || col.equals("cost_type") || col.equals("source") ? "" : " class=\"n\"")
                    .append(">").append(col).append("</th>");
        }
        h.append("</tr></thead><tbody>\n");
        for (Report.Row row : r.rows()) {
            h.append("<tr><td>").append(esc(row.group())).append("</td><td>").append(row.costType().label()).append("</td>")
                    .append("<td class=\"n\">").append(CsvRenderer.number(row.usageGb())).append("</td>")
                    .append("<td class=\"n\">").append(CsvRenderer.number(row.allocated())).append("</td>")
                    .append("<td class=\"n\">").append(CsvRenderer.number(row.billed())).append("</td><td>")
                    .append(r.source()).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        List<Report.Row> unallocated = r.rows().stream().filter(Report.Row::isUnallocated).toList();
        if (!unallocated.isEmpty()) {
            h.append("<p>Unallocated, and why:</p><ul>");
            for (Report.Row row : unallocated) {
                h.append("<li>").append(esc(row.group().substring(Report.UNALLOCATED.length()))).append(" (")
                        .append(row.costType().label()).append(", $").append(row.billed().toPlainString()).append("): ")
                        .append(esc(String.join("; ", row.reasons()))).append("</li>");
            }
            h.append("</ul>\n");
        }
    }

    private static void setAside(Report r, StringBuilder h) {
        if (r.setAside().isEmpty()) {
            return;
        }
        h.append("<h2>Left out of the allocation</h2>\n<table id=\"set-aside\"><tr><th>reason</th><th>line type</th>")
                .append("<th>product / usage type</th><th class=\"n\">lines</th><th class=\"n\">USD</th></tr>\n");
        for (SetAside s : r.setAside()) {
            h.append("<tr><td>").append(esc(s.reason())).append("</td><td>").append(esc(s.lineItemType())).append("</td><td>")
                    .append(esc(s.product())).append("</td><td class=\"n\">").append(s.lines()).append("</td>")
                    .append(num(s.amount().stripTrailingZeros())).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static String num(BigDecimal v) {
        return "<td class=\"n\">" + (v == null ? "" : v.toPlainString()) + "</td>";
    }

    private static String numHead(BigDecimal v) {
        return "<th class=\"n\">" + v.toPlainString() + "</th>";
    }

    private static BigDecimal sum(Map<CostType, BigDecimal> m) {
        return m.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static double width(BigDecimal v, BigDecimal max, int space) {
        if (max.signum() <= 0) {
            return 0;
        }
        return v.doubleValue() / max.doubleValue() * space;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
