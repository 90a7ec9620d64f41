package dev.netcost.core.config;

import java.util.ArrayList;
import java.util.List;

/** Collects every configuration problem so start-up can report them all at once. */
public final class ConfigErrors {
    private final List<String> problems = new ArrayList<>();

    public void add(String key, String problem) {
        problems.add(printable((key.isEmpty() ? "(top level)" : key) + ": " + problem));
    }

    /**
     * {@code text} with control characters (a value's newline, escape sequences, NUL) written as
     * a backslash escape (n, r, or u and four hex digits), so that a problem stays one line and cannot
     * drive the terminal.
     */
    static String printable(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
            if (control && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (!control) {
                    sb.append(c);
                } else if (c == '\n') {
                    sb.append("\\n");
                } else if (c == '\r') {
                    sb.append("\\r");
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Throws a {@link ConfigException} listing every problem, if there is any. */
    public void throwIfAny(String source) {
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
    }
}
