package dev.netcost.iptables;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Strings decoded from native buffers, remembered by slot so that a read seeing the same bytes in the
 * same slot as the previous read (the normal case: the rules rarely change between reads) gets the
 * previous String back instead of allocating one. A reader numbers its slots in the order it meets
 * the strings; the cache is therefore bounded by the size of one read.
 */
final class ByteStrings {
    private byte[][] bytes = new byte[64][];
    private String[] strings = new String[64];

    /** The UTF-8 string of {@code buf[from, from + len)}, cached in {@code slot}. */
    String get(int slot, ByteBuffer buf, int from, int len) {
        if (slot >= strings.length) {
            int n = Math.max(slot + 1, strings.length * 2);
            bytes = Arrays.copyOf(bytes, n);
            strings = Arrays.copyOf(strings, n);
        }
        byte[] b = bytes[slot];
        if (b != null && b.length == len && equal(b, buf, from)) {
            return strings[slot];
        }
        b = new byte[len];
        buf.get(from, b, 0, len);
        String s = new String(b, StandardCharsets.UTF_8);
        bytes[slot] = b;
        strings[slot] = s;
        return s;
    }

    private static boolean equal(byte[] b, ByteBuffer buf, int from) {
        for (int i = 0; i < b.length; i++) {
            if (buf.get(from + i) != b[i]) {
                return false;
            }
        }
        return true;
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
