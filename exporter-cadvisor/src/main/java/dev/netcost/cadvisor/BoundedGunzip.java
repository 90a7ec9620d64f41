package dev.netcost.cadvisor;

import java.io.EOFException;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses a gzip body (RFC 1952, one or more members) into a reused buffer and stops as soon
 * as the output passes a limit, so a gzip bomb costs at most the limit in memory and never a crash.
 * Checks each member's CRC-32 and length. Not thread-safe; reuse one instance.
 */
final class BoundedGunzip {
    private static final int FTEXT_MASK = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();

    /** Decompresses {@code in[0..inLen)} into {@code out}; throws {@link BodyTooLargeException} past {@code limit}. */
    void decompress(byte[] in, int inLen, ByteBuf out, long limit) throws IOException {
        out.clear();
        int p = 0;
        do {
            p = member(in, p, inLen, out, limit);
        } while (p < inLen);
    }

    /** One member from {@code p}; returns the index after its trailer. */
    private int member(byte[] in, int p, int end, ByteBuf out, long limit) throws IOException {
        if (end - p < 10) {
            throw new EOFException("gzip body cut short in its header");
        }
        if ((in[p] & 0xff) != 0x1f || (in[p + 1] & 0xff) != 0x8b) {
            throw new IOException("not gzip data (bad magic bytes)");
        }
        if (in[p + 2] != 8) {
            throw new IOException("unsupported gzip compression method " + in[p + 2]);
        }
        int flags = in[p + 3] & 0xff;
        if ((flags & ~(FTEXT_MASK | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw new IOException("reserved gzip header flags set");
        }
        p += 10;
        if ((flags & FEXTRA) != 0) {
            if (end - p < 2) {
                throw new EOFException("gzip body cut short in its header");
            }
            p += 2 + ((in[p] & 0xff) | (in[p + 1] & 0xff) << 8);
        }
        if ((flags & FNAME) != 0) {
            p = afterZero(in, p, end);
        }
        if ((flags & FCOMMENT) != 0) {
            p = afterZero(in, p, end);
        }
        if ((flags & FHCRC) != 0) {
            p += 2;
        }
        if (p > end) {
            throw new EOFException("gzip body cut short in its header");
        }
        int start = out.length();
        inflater.reset();
        inflater.setInput(in, p, end - p);
        try {
            while (!inflater.finished()) {
                if (out.length() == out.capacity()) {
                    if (out.capacity() > limit) {
                        throw new BodyTooLargeException("decompressed body exceeds " + limit + " bytes");
                    }
                    // One byte past the limit tells a body of exactly the limit from a larger one.
                    out.ensureCapacity(out.capacity() + 1L, limit + 1);
                }
                int n = inflater.inflate(out.bytes(), out.length(), out.capacity() - out.length());
                out.setLength(out.length() + n);
                if (out.length() > limit) {
                    throw new BodyTooLargeException("decompressed body exceeds " + limit + " bytes");
                }
                if (n == 0 && !inflater.finished()) {
                    if (inflater.needsInput()) {
                        throw new EOFException("gzip body cut short");
                    }
                    if (inflater.needsDictionary()) {
                        throw new IOException("gzip body needs a preset dictionary");
                    }
                }
            }
        } catch (DataFormatException e) {
            throw new IOException("corrupt gzip body: " + e.getMessage(), e);
        }
        p = end - inflater.getRemaining();
        if (end - p < 8) {
            throw new EOFException("gzip body cut short in its trailer");
        }
        crc.reset();
        crc.update(out.bytes(), start, out.length() - start);
        long expectedCrc = le32(in, p);
        long expectedSize = le32(in, p + 4);
        if (crc.getValue() != expectedCrc) {
            throw new IOException("gzip CRC-32 mismatch");
        }
        if (((out.length() - start) & 0xffffffffL) != expectedSize) {
            throw new IOException("gzip length mismatch");
        }
        return p + 8;
    }

    private static int afterZero(byte[] in, int p, int end) throws EOFException {
        while (p < end && in[p] != 0) {
            p++;
        }
        if (p >= end) {
            throw new EOFException("gzip body cut short in its header");
        }
        return p + 1;
    }

    private static long le32(byte[] b, int p) {
        return (b[p] & 0xffL) | (b[p + 1] & 0xffL) << 8 | (b[p + 2] & 0xffL) << 16 | (b[p + 3] & 0xffL) << 24;
    }
}
