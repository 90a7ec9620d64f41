package dev.netcost.cadvisor;

import java.util.Arrays;

/**
 * A growable byte array reused across scrapes: after the first round it already has the size the
 * previous body needed, so a steady payload is read without allocating.
 */
final class ByteBuf {
    private byte[] bytes;
    private int length;

    ByteBuf(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }

    void setLength(int length) {
        this.length = length;
    }

    int capacity() {
        return bytes.length;
    }

    /** Makes room for {@code needed} bytes in total, growing by half again at least, never past {@code cap}. */
    void ensureCapacity(long needed, long cap) {
        if (needed <= bytes.length) {
            return;
        }
        long grown = Math.max(needed, bytes.length + (bytes.length >> 1));
        bytes = Arrays.copyOf(bytes, (int) Math.min(grown, Math.max(needed, cap)));
    }
}
