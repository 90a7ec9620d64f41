package dev.netcost.core.remotewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file (format: {@link QueueRecordEncoder}) and tells a good record
 * from a damaged one. After a damaged record it searches for the next header whose CRC holds and
 * whose payload checks out; when none follows, the damage is a torn tail (a write cut short by a
 * crash) rather than a corrupt record in the middle.
 */
final class SegmentReader {
    /** What lies at a position: a good record, damage up to {@code next}, or nothing more. */
    enum Kind { RECORD, DAMAGED, END }

    /**
     * @param kind         RECORD, DAMAGED or END
     * @param next         where the following record starts (for END: the position read up to)
     * @param samples      a RECORD's samples; for DAMAGED, the samples its header promised when the
     *                     header itself was intact (else 0: unknown)
     * @param appendTimeMs a RECORD's append time
     * @param payloadStart a RECORD's payload, in {@link #payload()} from 0 to {@code next - payloadStart}
     */
    record Result(Kind kind, long next, int samples, long appendTimeMs, long payloadStart) {
    }

    private final ByteBuffer header = ByteBuffer.allocate(QueueRecordEncoder.HEADER_BYTES);
    private final CRC32C crc = new CRC32C();
    private byte[] payload = new byte[4096];
    private int payloadLength;

    byte[] payload() {
        return payload;
    }

    int payloadLength() {
        return payloadLength;
    }

    /** The record at {@code pos} of {@code ch}, reading no further than {@code limit}. */
    Result read(FileChannel ch, long pos, long limit) throws IOException {
        if (pos >= limit) {
            return new Result(Kind.END, pos, 0, 0, 0);
        }
        Header h = header(ch, pos, limit);
        if (h != null) {
            if (payloadOk(ch, pos, h)) {
                return new Result(Kind.RECORD, pos + QueueRecordEncoder.HEADER_BYTES + h.length, h.count,
                        h.appendTimeMs, pos + QueueRecordEncoder.HEADER_BYTES);
            }
        }
        long next = resync(ch, pos + 1, limit);
        if (next < 0) {
            return new Result(Kind.END, pos, 0, 0, 0);
        }
        return new Result(Kind.DAMAGED, next, h == null ? 0 : h.count, 0, 0);
    }

    /** The next position after {@code from} where a whole, valid record starts; -1 when none. */
    private long resync(FileChannel ch, long from, long limit) throws IOException {
        ByteBuffer window = ByteBuffer.allocate(64 * 1024);
        long base = from;
        while (base + QueueRecordEncoder.HEADER_BYTES <= limit) {
            window.clear();
            int n = readFully(ch, window, base, (int) Math.min(window.capacity(), limit - base));
            byte[] w = window.array();
            for (int i = 0; i + 1 < n; i++) {
                if (w[i] == (byte) (QueueRecordEncoder.MAGIC >>> 8) && w[i + 1] == (byte) QueueRecordEncoder.MAGIC) {
                    Header h = header(ch, base + i, limit);
                    if (h != null && payloadOk(ch, base + i, h)) {
                        return base + i;
                    }
                }
            }
            if (n < QueueRecordEncoder.HEADER_BYTES) {
                return -1;
            }
            base += n - 1;
        }
        return -1;
    }

    private record Header(int length, int count, long appendTimeMs) {
    }

    /** The header at {@code pos} when whole and intact, and its payload fits before {@code limit}. */
    private Header header(FileChannel ch, long pos, long limit) throws IOException {
        if (limit - pos < QueueRecordEncoder.HEADER_BYTES) {
            return null;
        }
        header.clear();
        if (readFully(ch, header, pos, QueueRecordEncoder.HEADER_BYTES) < QueueRecordEncoder.HEADER_BYTES) {
            return null;
        }
        byte[] h = header.array();
        crc.reset();
        crc.update(h, 0, 20);
        if (header.getShort(0) != QueueRecordEncoder.MAGIC || h[2] != QueueRecordEncoder.VERSION
                || header.getInt(20) != (int) crc.getValue()) {
            return null;
        }
        int length = header.getInt(4);
        int count = header.getInt(8);
        if (length < 0 || count < 0 || pos + QueueRecordEncoder.HEADER_BYTES + length > limit) {
            return null;
        }
        return new Header(length, count, header.getLong(12));
    }

    private boolean payloadOk(FileChannel ch, long pos, Header h) throws IOException {
        if (payload.length < h.length) {
            payload = Arrays.copyOf(payload, Math.max(h.length, payload.length * 2));
        }
        ByteBuffer b = ByteBuffer.wrap(payload, 0, h.length);
        if (readFully(ch, b, pos + QueueRecordEncoder.HEADER_BYTES, h.length) < h.length) {
            return false;
        }
        crc.reset();
        crc.update(payload, 0, h.length);
        payloadLength = h.length;
        return header.getInt(24) == (int) crc.getValue();
    }

    private static int readFully(FileChannel ch, ByteBuffer b, long pos, int want) throws IOException {
        int got = 0;
        b.limit(b.position() + want);
        while (got < want) {
            int n = ch.read(b, pos + got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }
}
