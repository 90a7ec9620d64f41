package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
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

    public WriteRequestEncoder(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    public void reset() {
        pos = 0;
        count = 0;
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
        int tsSize = timeSeriesSize(labels, s.timestampMs());
        ensure(1 + 5 + tsSize);
        buf[pos++] = TAG_TIMESERIES;
        writeVarint(tsSize);
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            String value = labels.value(i);
            int nameLen = Utf8.length(name);
            int valueLen = Utf8.length(value);
            buf[pos++] = TAG_LABELS;
            writeVarint(1 + varintSize(nameLen) + nameLen + 1 + varintSize(valueLen) + valueLen);
            buf[pos++] = TAG_LABEL_NAME;
            writeVarint(nameLen);
            pos = Utf8.encode(name, buf, pos);
            buf[pos++] = TAG_LABEL_VALUE;
            writeVarint(valueLen);
            pos = Utf8.encode(value, buf, pos);
        }
        buf[pos++] = TAG_SAMPLES;
        writeVarint(sampleSize(s.timestampMs()));
        buf[pos++] = TAG_SAMPLE_VALUE;
        long bits = Double.doubleToRawLongBits(s.value());
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (bits >>> (8 * i));
        }
        buf[pos++] = TAG_SAMPLE_TIMESTAMP;
        writeVarint64(s.timestampMs());
        count++;
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

    private void writeVarint(int v) {
        while ((v & ~0x7F) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
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
