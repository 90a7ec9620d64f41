package dev.netcost.core.model;

/** Escaping of the Prometheus text exposition format 0.0.4. */
public final class TextEscaper {
    private TextEscaper() {
    }

    /** Appends {@code value} with backslash, double quote and newline escaped. */
    public static void appendLabelValue(StringBuilder sb, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** Appends a sample value the way Prometheus writes it: NaN, +Inf, -Inf or a Java double. */
    public static void appendValue(StringBuilder sb, double value) {
        if (Double.isNaN(value)) {
            sb.append("NaN");
        } else if (value == Double.POSITIVE_INFINITY) {
            sb.append("+Inf");
        } else if (value == Double.NEGATIVE_INFINITY) {
            sb.append("-Inf");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            sb.append((long) value);
        } else {
            sb.append(value);
        }
    }
}
