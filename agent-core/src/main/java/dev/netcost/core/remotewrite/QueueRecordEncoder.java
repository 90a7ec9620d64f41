package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.model.Utf8;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Frames samples as one durable-queue record: a 28-byte header, then the payload.
 *
 * <pre>
 * header  magic 'N''Q' (2) | version 1 (1) | flags 0 (1) | payload length (4) | sample count (4)
 *         | append time, ms since the epoch (8) | CRC32C of the 20 bytes before (4) | CRC32C of the payload (4)
 * payload per sample: label count (varint), per label name and value (varint length + UTF-8),
 *         value (8, raw IEEE-754 bits), timestamp ms (8)
 * </pre>
 *
 * The header has its own CRC so a reader can trust the length before reading the payload, and can
 * find the next record after a damaged one by searching for a header whose CRC holds. Big-endian.
 */
final class QueueRecordEncoder {
    static final int HEADER_BYTES = 28;
    static final short MAGIC = 0x4E51; // "NQ"
    static final byte VERSION = 1;

    private byte[] buf = new byte[HEADER_BYTES + 4096];
    private int pos = HEADER_BYTES;
    private int count;
    private final CRC32C crc = new CRC32C();

    int sampleCount() {
        return count;
    }

    /** Payload bytes so far. */
    int payloadSize() {
        return pos - HEADER_BYTES;
    }

    void add(Sample s) {
        Labels labels = s.labels();
        int bound = 10 + 16;
        for (int i = 0; i < labels.size(); i++) {
            bound += 10 + 3 * (labels.name(i).length() + labels.value(i).length());
        }
        ensure(bound);
        pos = writeVarint(buf, pos, labels.size());
        for (int i = 0; i < labels.size(); i++) {
            pos = writeString(labels.name(i));
            pos = writeString(labels.value(i));
        }
        writeLong(buf, pos, Double.doubleToRawLongBits(s.value()));
        writeLong(buf, pos + 8, s.timestampMs());
        pos += 16;
        count++;
    }

    /** Length and UTF-8 in one pass over the string: encoded after a one-byte length, moved when it needs more. */
    private int writeString(String s) {
        int start = pos + 1;
        int len = Utf8.encode(s, buf, start) - start;
        int lengthBytes = WriteRequestEncoder.varintSize(len);
        if (lengthBytes > 1) {
            System.arraycopy(buf, start, buf, start + lengthBytes - 1, len);
        }
        writeVarint(buf, pos, len);
        return pos + lengthBytes + len;
    }


    /** Writes the header for the samples added so far and returns header + payload, ready to write. */
    ByteBuffer frame(long appendTimeMs) {
        int payload = pos - HEADER_BYTES;
        ByteBuffer h = ByteBuffer.wrap(buf, 0, HEADER_BYTES);
        h.putShort(MAGIC).put(VERSION).put((byte) 0).putInt(payload).putInt(count).putLong(appendTimeMs);
        crc.reset();
        crc.update(buf, 0, 20);
        h.putInt((int) crc.getValue());
        crc.reset();
        crc.update(buf, HEADER_BYTES, payload);
        h.putInt((int) crc.getValue());
        return ByteBuffer.wrap(buf, 0, pos);
    }

    void reset() {
        pos = HEADER_BYTES;
        count = 0;
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }
    }

    static int writeVarint(byte[] b, int p, int v) {
        while ((v & ~0x7F) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    static void writeLong(byte[] b, int p, long v) {
        for (int i = 7; i >= 0; i--) {
            b[p + i] = (byte) v;
            v >>>= 8;
        }
    }
}
