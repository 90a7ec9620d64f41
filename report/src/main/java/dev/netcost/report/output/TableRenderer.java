package dev.netcost.report.output;

import dev.netcost.report.allocate.CostType;
import dev.netcost.report.allocate.SetAside;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The terminal view: one line per group with its dollars per cost type, then the totals check. */
final class TableRenderer {
    private TableRenderer() {
    }

    static void render(Report r, Writer out) throws IOException {
        List<CostType> types = r.totals().byCostType().stream().map(Report.CostTypeTotal::costType).toList();
        out.write("netcost report  " + r.window().start() + " .. " + r.window().end() + " (" + r.window().hours()
                + " h)  by " + r.by() + "  source: " + (r.source().equals("cur") ? "AWS CUR" : "list prices")
                + "  (USD)\n\n");
        if (types.isEmpty()) {
            out.write("No network cost in this window.\n");
        }
        Map<String, Map<CostType, BigDecimal>> groups = new LinkedHashMap<>();
        for (Report.Row row : r.rows()) {
            groups.computeIfAbsent(row.group(), g -> new LinkedHashMap<>()).merge(row.costType(), row.billed(), BigDecimal::add);
        }
        List<String> header = new ArrayList<>();
        header.add(r.by().toUpperCase(java.util.Locale.ROOT));
        types.forEach(t -> header.add(t.label()));
        header.add("total");
        List<List<String>> lines = new ArrayList<>();
        List<Map.Entry<String, Map<CostType, BigDecimal>>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort((a, b) -> {
            boolean ua = a.getKey().startsWith(Report.UNALLOCATED);
            boolean ub = b.getKey().startsWith(Report.UNALLOCATED);
            if (ua != ub) {
                return ua ? 1 : -1;
            }
            int c = total(b.getValue()).compareTo(total(a.getValue()));
            return c != 0 ? c : a.getKey().compareTo(b.getKey());
        });
        for (Map.Entry<String, Map<CostType, BigDecimal>> g : sorted) {
            List<String> line = new ArrayList<>();
            line.add(g.getKey());
            for (CostType t : types) {
                BigDecimal v = g.getValue().get(t);
                line.add(v == null ? "" : v.toPlainString());
            }
            line.add(total(g.getValue()).toPlainString());
            lines.add(line);
        }
        List<List<String>> footer = new ArrayList<>();
        footer.add(totalsLine("allocated", r, Report.CostTypeTotal::allocated, r.totals().allocated()));
        footer.add(totalsLine("unallocated", r, Report.CostTypeTotal::unallocated, r.totals().unallocated()));
        String billed = r.source().equals("cur") ? "billed" : "list price";
        footer.add(totalsLine(billed, r, Report.CostTypeTotal::billed, r.totals().billed()));
        if (!types.isEmpty()) {
            printTable(out, header, lines, footer);
            boolean ok = r.totals().allocated().add(r.totals().unallocated()).compareTo(r.totals().billed()) == 0;
            out.write("\n" + (ok ? "check: allocated + unallocated = " + billed + ", per cost type and in total"
                    : "CHECK FAILED: allocated + unallocated != " + billed) + " (" + billed + " before rounding: "
                    + r.totals().billedExact().setScale(10, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()
                    + ")\n");
        }
        List<Report.Row> unallocated = r.rows().stream().filter(Report.Row::isUnallocated).toList();
        if (!unallocated.isEmpty()) {
            out.write("\nUnallocated, and why:\n");
            for (Report.Row row : unallocated) {
                out.write("  " + row.group().substring(Report.UNALLOCATED.length()) + " (" + row.costType().label()
                        + ", " + row.billed().toPlainString() + "): " + String.join("; ", row.reasons()) + "\n");
            }
        }
        if (!r.coverage().isEmpty()) {
            out.write("\nCoverage: billed GB against GB netcost measured for the pods each line was split over\n");
            List<List<String>> cov = new ArrayList<>();
            for (Report.Coverage c : r.coverage()) {
                cov.add(List.of(c.resource(), c.usageType(), c.billedGb().toPlainString(), c.measuredGb().toPlainString(),
                        c.ratio() == null ? "" : c.ratio().movePointRight(2).stripTrailingZeros().toPlainString() + "%"));
            }
            printTable(out, List.of("resource", "usage type", "billed GB", "measured GB", "coverage"), cov, List.of());
        }
        if (!r.setAside().isEmpty()) {
            out.write("\nLeft out of the allocation (listed, not allocated):\n");
            List<List<String>> rows = new ArrayList<>();
            for (SetAside s : r.setAside()) {
                rows.add(List.of(s.reason(), s.lineItemType(), s.product(), Long.toString(s.lines()),
                        s.amount().stripTrailingZeros().toPlainString()));
            }
            printTable(out, List.of("reason", "line type", "product / usage type", "lines", "USD"), rows, List.of());
        }
        if (!r.warnings().isEmpty()) {
            out.write("\nWarnings:\n");
            for (String w : r.warnings()) {
                out.write("  - " + w + "\n");
            }
        }
    }

    private static List<String> totalsLine(String name, Report r, java.util.function.Function<Report.CostTypeTotal, BigDecimal> f,
                                           BigDecimal total) {
        List<String> line = new ArrayList<>();
        line.add(name);
        for (Report.CostTypeTotal t : r.totals().byCostType()) {
            line.add(f.apply(t).toPlainString());
        }
        line.add(total.toPlainString());
        return line;
    }

    private static BigDecimal total(Map<CostType, BigDecimal> values) {
        return values.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** First column left-aligned, the others right-aligned; a rule before the footer. */
    static void printTable(Writer out, List<String> header, List<List<String>> rows, List<List<String>> footer)
            throws IOException {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        all.addAll(footer);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        writeRow(out, header, width);
        for (List<String> row : rows) {
            writeRow(out, row, width);
        }
        if (!footer.isEmpty()) {
            int total = 0;
            for (int w : width) {
                total += w + 2;
            }
            out.write("  " + "-".repeat(total - 2) + "\n");
            for (List<String> row : footer) {
                writeRow(out, row, width);
            }
        }
    }

    private static void writeRow(Writer out, List<String> row, int[] width) throws IOException {
        StringBuilder sb = new StringBuilder("  ");
        for (int i = 0; i < row.size(); i++) {
            String v = row.get(i);
            if (i == 0) {
                sb.append(v).append(" ".repeat(width[i] - v.length()));
            } else {
                sb.append("  ").append(" ".repeat(width[i] - v.length())).append(v);
            }
        }
        out.write(sb.toString().stripTrailing() + "\n");
    }
}
