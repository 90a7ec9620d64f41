package dev.netcost.report.output;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;

/**
 * {@code group,cost_type,usage_gb,allocated_usd,billed_usd,source}, one line per report row (RFC 4180).
 * The billed_usd column adds up to the bill; allocated_usd to what was allocated; their difference is
 * in the {@code unallocated:<resource>} rows.
 */
final class CsvRenderer {
    static final String HEADER = "group,cost_type,usage_gb,allocated_usd,billed_usd,source";

    private CsvRenderer() {
    }

    static void render(Report r, Writer out) throws IOException {
        out.write(HEADER);
        out.write("\r\n");
        for (Report.Row row : r.rows()) {
            out.write(field(row.group()));
            out.write(',');
            out.write(row.costType().label());
            out.write(',');
            out.write(number(row.usageGb()));
            out.write(',');
            out.write(number(row.allocated()));
            out.write(',');
            out.write(number(row.billed()));
            out.write(',');
            out.write(r.source());
            out.write("\r\n");
        }
    }

    static String number(BigDecimal v) {
        return v == null ? "" : v.toPlainString();
    }

    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
