package dev.netcost.core.log;

/**
 * Text from outside (a config value, a peer's answer, a client's request) made safe for one log or
 * error line: control characters (a newline, escape sequences, NUL, C1 controls, line and paragraph
 * separators) written as a backslash escape (n, r, or u and four hex digits), so the text stays one
 * line, cannot forge log lines and cannot drive a terminal.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code text} with its control characters escaped ({@code text} itself when it has none). */
    public static String of(String text) {
        return of(text, Integer.MAX_VALUE);
    }

    /**
     * As {@link #of(String)}, cut after the first {@code maxChars} characters of {@code text}, with
     * {@code ...} where it was cut; null gives the empty string.
     */
    public static String of(String text, int maxChars) {
        if (text == null) {
            return "";
        }
        int end = Math.min(text.length(), maxChars);
        StringBuilder sb = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029;
            if (control && sb == null) {
                sb = new StringBuilder(end + 16).append(text, 0, i);
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
        String out = sb != null ? sb.toString() : end == text.length() ? text : text.substring(0, end);
        return end < text.length() ? out + "..." : out;
    }
}
