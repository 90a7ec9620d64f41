package dev.netcost.core.model;

import java.util.List;

/** Writes samples in the Prometheus text exposition format 0.0.4, one line per sample. */
public final class TextFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private TextFormat() {
    }

    /** Appends {@code name{labels} value timestamp} lines; stale markers are written as NaN. */
    public static void write(List<Sample> samples, StringBuilder out) {
        for (Sample s : samples) {
            out.append(s.labels()).append(' ');
            TextEscaper.appendValue(out, s.value());
            out.append(' ').append(s.timestampMs()).append('\n');
        }
    }

    public static String toText(List<Sample> samples) {
        StringBuilder sb = new StringBuilder(samples.size() * 96);
        write(samples, sb);
        return sb.toString();
    }
}
