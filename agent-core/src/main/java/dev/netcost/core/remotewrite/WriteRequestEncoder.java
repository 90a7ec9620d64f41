package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.model.Utf8;
import java.util.Arrays;

/**
 * Encodes a remote-write 1.0 {@code prometheus.WriteRequest} straight into a reused byte array.
 *
 * <p>Each sample becomes one {@code TimeSeries} (field 1) holding its labels (field 1, already sorted
 * by {@link Labels}) and one {@code Sample} (field 2: value as fixed64 double, timestamp as varint).
 * Strings are UTF-8 encoded in place, so steady-state encoding allocates nothing; the buffer only
 * grows, to the largest batch seen.
 */
public final class WriteRequestEncoder {
    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_LEN = 2;

    private static final byte TAG_TIMESERIES = (byte) (1 << 3 | WIRE_LEN);
    private static final byte TAG_LABELS = (byte) (1 << 3 | WIRE_LEN);
    private static final byte TAG_SAMPLES = (byte) (2 << 3 | WIRE_LEN);
    private static final byte TAG_LABEL_NAME = (byte) (1 << 3 | WIRE_LEN);
    private static final byte TAG_LABEL_VALUE = (byte) (2 << 3 | WIRE_LEN);
    private static final byte TAG_SAMPLE_VALUE = (byte) (1 << 3 | WIRE_FIXED64);
    private static final byte TAG_SAMPLE_TIMESTAMP = (byte) (2 << 3 | WIRE_VARINT);

    private byte[] buf;
    private int pos;
    private int count;
    private int lastStart = -1;

    public WriteRequestEncoder(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    public void reset() {
        pos = 0;
        count = 0;
        lastStart = -1;
    }

    /** Encoded bytes so far: {@code buffer()[0..size())}. */
    public int size() {
        return pos;
    }

    public int sampleCount() {
        return count;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Bytes that {@link #add} will append for {@code s}. */
    public static int encodedSize(Sample s) {
        int ts = timeSeriesSize(s.labels(), s.timestampMs());
        return 1 + varintSize(ts) + ts;
    }

    public void add(Sample s) {
        Labels labels = s.labels();
        ensure(upperBound(labels));
        lastStart = pos;
        buf[pos++] = TAG_TIMESERIES;
        int tsStart = pos;
        pos += 2; // most series encode to 128..16383 bytes; patchLength shifts when not
        for (int i = 0; i < labels.size(); i++) {
            buf[pos++] = TAG_LABELS;
            int labelStart = pos++;
            buf[pos++] = TAG_LABEL_NAME;
            int nameStart = pos++;
            pos = Utf8.encode(labels.name(i), buf, pos);
            patchLength(nameStart, 1);
            buf[pos++] = TAG_LABEL_VALUE;
            int valueStart = pos++;
            pos = Utf8.encode(labels.value(i), buf, pos);
            patchLength(valueStart, 1);
            patchLength(labelStart, 1);
        }
        buf[pos++] = TAG_SAMPLES;
        buf[pos++] = (byte) sampleSize(s.timestampMs());
        buf[pos++] = TAG_SAMPLE_VALUE;
        long bits = Double.doubleToRawLongBits(s.value());
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
        buf[pos++] = TAG_SAMPLE_TIMESTAMP;
        writeVarint64(s.timestampMs());
        patchLength(tsStart, 2);
        count++;
    }

    /** Removes the sample added last (to carry it into the next batch when this one got too big). */
    public void removeLast() {
        if (count == 0 || lastStart < 0) {
            throw new IllegalStateException("BUG: nothing to remove");
        }
        pos = lastStart;
        lastStart = -1;
        count--;
    }

    /**
     * Writes the varint length of the bytes that follow {@code reserved} bytes at {@code at}, moving
     * them when the length needs a different number of bytes than was reserved.
     */
    private void patchLength(int at, int reserved) {
        int len = pos - at - reserved;
        int needed = varintSize(len);
        if (needed != reserved) {
            System.arraycopy(buf, at + reserved, buf, at + needed, len);
            pos += needed - reserved;
        }
        int p = at;
        int v = len;
        while ((v & ~0x7F) != 0) {
            buf[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[p] = (byte) v;
    }

    /** Bytes {@link #add} may need at most: 3 per char, plus tags, lengths and the sample. */
    private static int upperBound(Labels labels) {
        int n = 32;
        for (int i = 0; i < labels.size(); i++) {
            n += 3 * (labels.name(i).length() + labels.value(i).length()) + 16;
        }
        return n;
    }

    private static int timeSeriesSize(Labels labels, long timestampMs) {
        int size = 0;
        for (int i = 0; i < labels.size(); i++) {
            int nameLen = Utf8.length(labels.name(i));
            int valueLen = Utf8.length(labels.value(i));
            int label = 1 + varintSize(nameLen) + nameLen + 1 + varintSize(valueLen) + valueLen;
            size += 1 + varintSize(label) + label;
        }
        int sample = sampleSize(timestampMs);
        return size + 1 + varintSize(sample) + sample;
    }

    private static int sampleSize(long timestampMs) {
        return 1 + 8 + 1 + varint64Size(timestampMs);
    }

    private void ensure(int extra) {
        if (pos + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + extra));
        }
    }

    private void writeVarint64(long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    static int varintSize(int v) {
        return v < 0 ? 10 : (38 - Integer.numberOfLeadingZeros(v | 1)) / 7;
    }

    static int varint64Size(long v) {
        return (70 - Long.numberOfLeadingZeros(v | 1)) / 7;
    }
}
