package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a durable-queue record's payload (see {@link QueueRecordEncoder}) back into samples.
 *
 * <p>The same series come back every cycle, so label sets are cached by their encoded bytes: a
 * repeated series costs a hash and a byte comparison, not a new validated {@link Labels}. The
 * cache is cleared when it reaches its bound, so memory stays bounded whatever the backlog holds.
 */
final class QueueRecordParser {
    private static final int MAX_CACHED = 1 << 16;

    private final Map<Key, Labels> cache = new HashMap<>();
    private final Key probe = new Key();

    /** The samples of {@code payload[off..off+len)}, expected {@code count}; throws on malformed input. */
    Sample[] parse(byte[] payload, int off, int len, int count) {
        Sample[] out = new Sample[count];
        int p = off;
        int end = off + len;
        int[] cursor = new int[1];
        for (int i = 0; i < count; i++) {
            int labelsStart = p;
            cursor[0] = p;
            int n = readVarint(payload, cursor, end);
            p = cursor[0];
            for (int l = 0; l < 2 * n; l++) {
                cursor[0] = p;
                int slen = readVarint(payload, cursor, end);
                p = cursor[0] + slen;
                if (slen < 0 || p > end) {
                    throw new IllegalArgumentException("string runs past the record");
                }
            }
            if (p + 16 > end) {
                throw new IllegalArgumentException("sample runs past the record");
            }
            Labels labels = labels(payload, labelsStart, p, n);
            double value = Double.longBitsToDouble(readLong(payload, p));
            long ts = readLong(payload, p + 8);
            p += 16;
            out[i] = new Sample(labels, value, ts);
        }
        if (p != end) {
            throw new IllegalArgumentException((end - p) + " bytes left after " + count + " samples");
        }
        return out;
    }

    private Labels labels(byte[] b, int start, int end, int n) {
        probe.set(b, start, end - start);
        Labels cached = cache.get(probe);
        if (cached != null) {
            return cached;
        }
        String[] names = new String[n];
        String[] values = new String[n];
        int[] cursor = {start};
        readVarint(b, cursor, end);
        String metric = null;
        for (int l = 0; l < n; l++) {
            names[l] = readString(b, cursor, end);
            values[l] = readString(b, cursor, end);
            if (names[l].equals(Labels.METRIC_NAME)) {
                metric = values[l];
            }
        }
        if (metric == null) {
            throw new IllegalArgumentException("a series without " + Labels.METRIC_NAME);
        }
        Labels.Builder builder = Labels.builder(metric);
        for (int l = 0; l < n; l++) {
            if (!names[l].equals(Labels.METRIC_NAME)) {
                builder.add(names[l], values[l]);
            }
        }
        Labels labels = builder.build();
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(new Key().set(Arrays.copyOfRange(b, start, end), 0, end - start), labels);
        return labels;
    }

    private static String readString(byte[] b, int[] cursor, int end) {
        int len = readVarint(b, cursor, end);
        String s = new String(b, cursor[0], len, StandardCharsets.UTF_8);
        cursor[0] += len;
        return s;
    }

    private static int readVarint(byte[] b, int[] cursor, int end) {
        int p = cursor[0];
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (p >= end) {
                throw new IllegalArgumentException("varint runs past the record");
            }
            byte x = b[p++];
            v |= (x & 0x7F) << shift;
            if (x >= 0) {
                cursor[0] = p;
                return v;
            }
        }
        throw new IllegalArgumentException("varint too long");
    }

    static long readLong(byte[] b, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[p + i] & 0xFF);
        }
        return v;
    }

    /** A byte range compared by content; the probe points into the record, stored keys own a copy. */
    private static final class Key {
        private byte[] bytes;
        private int off;
        private int len;
        private int hash;

        Key set(byte[] b, int o, int l) {
            bytes = b;
            off = o;
            len = l;
            int h = 1;
            for (int i = o; i < o + l; i++) {
                h = 31 * h + b[i];
            }
            hash = h;
            return this;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash
                    && Arrays.equals(bytes, off, off + len, k.bytes, k.off, k.off + k.len);
        }
    }
}
