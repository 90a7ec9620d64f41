package dev.netcost.core.remotewrite;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.xerial.snappy.Snappy;

/**
 * Snappy block format (not the framed format), as remote-write 1.0 requires, into a reused buffer
 * that grows to the largest batch seen.
 */
public final class SnappyBlockCompressor {
    private byte[] out = new byte[0];
    private int size;

    /** Compresses {@code in[0..len)}; the result is {@link #buffer()}[0..{@link #size()}). */
    public void compress(byte[] in, int len) {
        int max = Snappy.maxCompressedLength(len);
        if (out.length < max) {
            out = new byte[max + (max >> 2)];
        }
        try {
            size = Snappy.rawCompress(in, 0, len, out, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("snappy compression failed", e);
        }
    }

    public byte[] buffer() {
        return out;
    }

    public int size() {
        return size;
    }
}
