package dev.netcost.iptables;

import java.nio.ByteBuffer;

/** NUL-terminated strings in native buffers, compared without decoding them. */
final class ByteStrings {
    private ByteStrings() {
    }

    /** The length of the NUL-terminated string at {@code from}, at most {@code max}. */
    static int strlen(ByteBuffer buf, int from, int max) {
        int end = Math.min(from + max, buf.limit());
        int i = from;
        while (i < end && buf.get(i) != 0) {
            i++;
        }
        return i - from;
    }

    /** Whether {@code buf} holds exactly {@code s} followed by a NUL at {@code from} (within {@code max} bytes). */
    static boolean equalsNul(ByteBuffer buf, int from, int max, byte[] s) {
        if (s.length >= max || from + s.length >= buf.limit()) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (buf.get(from + i) != s[i]) {
                return false;
            }
        }
        return buf.get(from + s.length) == 0;
    }
}
