package dev.netcost.report.output;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/** The output formats of {@code --format}. */
public enum ReportFormat {
    TABLE, CSV, JSON, HTML;

    /** Parses {@code table}, {@code csv}, {@code json} or {@code html}; null for anything else. */
    public static ReportFormat parse(String text) {
        for (ReportFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(text)) {
                return f;
            }
        }
        return null;
    }

    public void render(Report report, Writer out) throws IOException {
        switch (this) {
            case TABLE -> TableRenderer.render(report, out);
            case CSV -> CsvRenderer.render(report, out);
            case JSON -> JsonRenderer.render(report, out);
            case HTML -> HtmlRenderer.render(report, out);
            default -> throw new IllegalStateException("BUG: format " + this);
        }
    }
}
