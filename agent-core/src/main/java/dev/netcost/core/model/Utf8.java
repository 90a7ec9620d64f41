package dev.netcost.core.model;

/**
 * UTF-8 length and encoding of Java strings without allocating (unpaired surrogates become '?'), as
 * the remote-write encoders write label values and as the pipeline's label-value cap counts them.
 */
public final class Utf8 {
    private Utf8() {
    }

    public static int length(String s) {
        int n = s.length();
        int len = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    len += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    len += 2; // 4 bytes for two chars
                    i++;
                } else if (Character.isSurrogate(c)) {
                    len += 0; // encoded as '?'
                } else {
                    len += 2;
                }
            }
        }
        return len;
    }

    /** Writes {@code s} at {@code pos}; returns the position after it. */
    public static int encode(String s, byte[] buf, int pos) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >>> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[pos++] = (byte) (0xF0 | (cp >>> 18));
                buf[pos++] = (byte) (0x80 | ((cp >>> 12) & 0x3F));
                buf[pos++] = (byte) (0x80 | ((cp >>> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                buf[pos++] = (byte) '?';
            } else {
                buf[pos++] = (byte) (0xE0 | (c >>> 12));
                buf[pos++] = (byte) (0x80 | ((c >>> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return pos;
    }
}
