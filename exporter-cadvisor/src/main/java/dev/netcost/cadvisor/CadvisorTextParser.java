package dev.netcost.cadvisor;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A single-pass parser of the Prometheus text format 0.0.4 as the kubelet serves
 * {@code /metrics/cadvisor}, over bytes. It keeps only the {@link NetworkFamily} lines: every other
 * line is skipped as soon as its metric name is known, without building anything for it. HELP, TYPE
 * and other comments are skipped; label values may carry the escapes {@code \\}, {@code \"} and
 * {@code \n}; values may be NaN or ±Inf; a millisecond timestamp is optional.
 *
 * <p>A kept line that does not follow the format (or whose labels are not valid UTF-8) is skipped
 * and counted, never fatal; so is a line that does not start with a metric name or {@code #}, and a
 * kept line without its final newline (a cut body). Lines of other families are not validated past
 * their name.
 *
 * <p>One instance is reused for every scrape (its buffers and label strings carry over); it is not
 * thread-safe. Public for the JMH benchmarks in bench/.
 */
public final class CadvisorTextParser {
    /** Receives each kept sample; {@code labels} is only valid during the call. */
    public interface Visitor {
        void sample(NetworkFamily family, ParsedLabels labels, double value, long timestampMs);
    }

    /** Timestamp passed to the visitor for a line without one. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /**
     * The streamed body's window, and so the longest line read: a kubelet's kept lines are a few
     * hundred bytes, and a label value past the agent's cap (2,048 bytes by default) is dropped anyway.
     */
    static final int WINDOW = 64 * 1024;

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;

    private final ParsedLabels labels = new ParsedLabels();
    private final StringCache strings = new StringCache();
    private byte[] scratch = new byte[256];
    private final byte[] window = new byte[WINDOW];
    private boolean skipping;
    private int longLines;
    private long lastTimestamp;
    private double lastValue;
    private int malformed;
    private int kept;

    /**
     * Parses {@code buf[off..off+len)}: a whole exposition, or its beginning when the body was cut
     * (the partial last line is then malformed).
     *
     * @return the number of malformed lines skipped
     */
    public int parse(byte[] buf, int off, int len, Visitor visitor) {
        begin();
        lines(buf, off, off + len, visitor, true);
        return malformed;
    }

    /**
     * Parses a body read from {@code source} chunk by chunk into a window of {@code WINDOW} bytes
     * reused across scrapes; a line cut by the end of a chunk is carried over to the next. The body
     * is never held whole: memory stays the window's, whatever the body's size. A line longer than
     * the window that is not skipped as another family's is dropped and counted as malformed.
     *
     * @return the number of malformed lines skipped
     */
    public int parse(ChunkSource source, Visitor visitor) throws IOException {
        begin();
        int len = 0;
        while (true) {
            int n = source.read(window, len, window.length - len);
            if (n < 0) {
                break;
            }
            len += n;
            int consumed = lines(window, 0, len, visitor, false);
            if (consumed == 0 && len == window.length) {
                // One line fills the whole window: too long to keep, skip the rest of it.
                malformed++;
                longLines++;
                skipping = true;
                len = 0;
                continue;
            }
            System.arraycopy(window, consumed, window, 0, len - consumed);
            len -= consumed;
        }
        lines(window, 0, len, visitor, true);
        return malformed;
    }

    /** Where {@link #parse(ChunkSource, Visitor)} reads the body from, like {@link java.io.InputStream#read}. */
    @FunctionalInterface
    public interface ChunkSource {
        /** Reads up to {@code len} bytes into {@code b[off..]}; -1 at the end of the body. */
        int read(byte[] b, int off, int len) throws IOException;
    }

    private void begin() {
        malformed = 0;
        kept = 0;
        longLines = 0;
        skipping = false;
    }

    /**
     * Parses the lines of {@code buf[off..end)}. With {@code last}, the range ends the body: a line
     * without its newline is handled as cut. Otherwise a line that may continue in the next chunk is
     * left alone, and the index where it starts is returned (the range's end when all was consumed).
     */
    private int lines(byte[] buf, int off, int end, Visitor visitor, boolean last) {
        int p = off;
        if (skipping) {
            int e = lineEnd(buf, p, end);
            if (e == end) {
                skipping = !last;
                return end;
            }
            skipping = false;
            p = e + 1;
        }
        while (p < end) {
            byte b = buf[p];
            if (b == '\n') {
                p++;
                continue;
            }
            if (b == '#') {
                p = skipLine(buf, p, end, last);
                continue;
            }
            if (b == ' ' || b == '\t' || b == '\r') {
                p = skipBlanks(buf, p, end);
                if (p < end && buf[p] == '\r') {
                    p++;
                }
                continue;
            }
            if (isNameStart(b) && end - p > NetworkFamily.prefixLength() && !NetworkFamily.mayStartAt(buf, p)) {
                p = skipLine(buf, p, end, last); // another family's line: its name need not be read to its end
                continue;
            }
            int nameEnd = metricNameEnd(buf, p, end);
            if (nameEnd == end && !last) {
                return p; // the name may go on in the next chunk
            }
            if (nameEnd == p) {
                malformed++;
                p = skipLine(buf, p, end, last);
                continue;
            }
            NetworkFamily family = NetworkFamily.match(buf, p, nameEnd);
            if (family == null) {
                p = skipLine(buf, nameEnd, end, last);
                continue;
            }
            int lineEnd = lineEnd(buf, nameEnd, end);
            if (lineEnd == end && !last) {
                return p; // carried over: parsed once the rest of the line has arrived
            }
            // A kept line must end with its newline: without one the body was cut and the value may be too.
            if (lineEnd < end && parseSample(buf, nameEnd, lineEnd)) {
                kept++;
                visitor.sample(family, labels, lastValue, lastTimestamp);
            } else {
                malformed++;
            }
            p = lineEnd + 1;
        }
        return end;
    }

    /** Skips the line holding {@code p}; when it runs past a chunk's end, the next chunk goes on skipping it. */
    private int skipLine(byte[] buf, int p, int end, boolean last) {
        int e = lineEnd(buf, p, end);
        if (e < end) {
            return e + 1;
        }
        skipping = !last;
        return end;
    }

    /** Kept lines in the last {@link #parse}. */
    public int keptLines() {
        return kept;
    }

    /** Lines of the last streamed {@link #parse} skipped because they were longer than the window. */
    int longLines() {
        return longLines;
    }

    // VisibleForTesting
    int cachedStrings() {
        return strings.size();
    }

    /** Parses labels, value and timestamp of the line {@code [p..lineEnd)} after its metric name. */
    private boolean parseSample(byte[] buf, int p, int lineEnd) {
        labels.clear();
        if (lineEnd > p && buf[lineEnd - 1] == '\r') {
            lineEnd--;
        }
        int q = skipBlanks(buf, p, lineEnd);
        if (q < lineEnd && buf[q] == '{') {
            p = parseLabels(buf, q + 1, lineEnd);
            if (p < 0) {
                return false;
            }
        }
        int valueStart = skipBlanks(buf, p, lineEnd);
        if (valueStart == p || valueStart == lineEnd) {
            return false; // the value must be separated by blanks and present
        }
        int valueEnd = tokenEnd(buf, valueStart, lineEnd);
        if (!parseValue(buf, valueStart, valueEnd)) {
            return false;
        }
        int tsStart = skipBlanks(buf, valueEnd, lineEnd);
        if (tsStart == lineEnd) {
            lastTimestamp = NO_TIMESTAMP;
            return true;
        }
        if (tsStart == valueEnd) {
            return false;
        }
        int tsEnd = tokenEnd(buf, tsStart, lineEnd);
        if (!parseTimestamp(buf, tsStart, tsEnd)) {
            return false;
        }
        return skipBlanks(buf, tsEnd, lineEnd) == lineEnd;
    }

    /** Parses {@code name="value",...}} from just after the brace; returns the index after '}' or -1. */
    private int parseLabels(byte[] buf, int p, int end) {
        while (true) {
            p = skipBlanks(buf, p, end);
            if (p >= end) {
                return -1;
            }
            if (buf[p] == '}') {
                return p + 1;
            }
            int nameStart = p;
            if (!isNameStart(buf[p])) {
                return -1;
            }
            p++;
            while (p < end && isNameChar(buf[p])) {
                p++;
            }
            String name = strings.get(buf, nameStart, p - nameStart);
            p = skipBlanks(buf, p, end);
            if (p >= end || buf[p] != '=') {
                return -1;
            }
            p = skipBlanks(buf, p + 1, end);
            if (p >= end || buf[p] != '"') {
                return -1;
            }
            p++;
            int n = 0;
            while (true) {
                if (p >= end) {
                    return -1;
                }
                byte c = buf[p];
                if (c == '"') {
                    p++;
                    break;
                }
                if (c == '\\') {
                    if (p + 1 >= end) {
                        return -1;
                    }
                    byte e = buf[p + 1];
                    if (e == '\\' || e == '"') {
                        c = e;
                    } else if (e == 'n') {
                        c = '\n';
                    } else {
                        return -1;
                    }
                    p += 2;
                } else {
                    p++;
                }
                if (n == scratch.length) {
                    scratch = Arrays.copyOf(scratch, n * 2);
                }
                scratch[n++] = c;
            }
            String value = strings.get(scratch, 0, n);
            if (value == null || !labels.add(name, value)) {
                return -1; // invalid UTF-8, or a label given twice
            }
            p = skipBlanks(buf, p, end);
            if (p >= end) {
                return -1;
            }
            if (buf[p] == ',') {
                p++;
            } else if (buf[p] != '}') {
                return -1;
            }
        }
    }

    private boolean parseValue(byte[] buf, int start, int end) {
        int p = start;
        boolean negative = false;
        if (buf[p] == '+' || buf[p] == '-') {
            negative = buf[p] == '-';
            p++;
        }
        int len = end - p;
        if (len == 3 && ascii3(buf, p, 'i', 'n', 'f')) {
            lastValue = negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return true;
        }
        if (len == 3 && p == start && ascii3(buf, p, 'n', 'a', 'n')) {
            lastValue = Double.NaN;
            return true;
        }
        // Fast path, exact: at most 15 significant digits scaled by a power of ten up to 22.
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        boolean dot = false;
        boolean any = false;
        while (p < end) {
            byte c = buf[p];
            if (c >= '0' && c <= '9') {
                any = true;
                if (mantissa == 0 && c == '0') {
                    if (dot) {
                        scale--;
                    }
                } else if (digits < 18) {
                    mantissa = mantissa * 10 + (c - '0');
                    digits++;
                    if (dot) {
                        scale--;
                    }
                } else {
                    return slowValue(buf, start, end);
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else if (c == 'e' || c == 'E') {
                // Go writes large counters as 1.2345678e+07: keep those on the fast path too.
                if (!any) {
                    return false;
                }
                int e = p + 1;
                boolean negExp = false;
                if (e < end && (buf[e] == '+' || buf[e] == '-')) {
                    negExp = buf[e] == '-';
                    e++;
                }
                if (e == end || end - e > 3) {
                    return slowValue(buf, start, end);
                }
                int exp = 0;
                for (; e < end; e++) {
                    byte d = buf[e];
                    if (d < '0' || d > '9') {
                        return false;
                    }
                    exp = exp * 10 + (d - '0');
                }
                scale += negExp ? -exp : exp;
                break;
            } else {
                return false;
            }
            p++;
        }
        if (!any) {
            return false;
        }
        if (digits > 15 || scale < -22 || scale > 22) {
            return slowValue(buf, start, end);
        }
        double v = scale == 0 ? mantissa : scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
        lastValue = negative ? -v : v;
        return true;
    }

    /** Anything the fast path does not take; only decimal floating-point syntax is accepted. */
    private boolean slowValue(byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            byte c = buf[i];
            if (!(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                return false;
            }
        }
        try {
            lastValue = Double.parseDouble(new String(buf, start, end - start, java.nio.charset.StandardCharsets.US_ASCII));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private boolean parseTimestamp(byte[] buf, int start, int end) {
        int p = start;
        boolean negative = buf[p] == '-';
        if (negative) {
            p++;
        }
        if (p == end || end - p > 19) {
            return false;
        }
        long v = 0;
        for (; p < end; p++) {
            byte c = buf[p];
            if (c < '0' || c > '9') {
                return false;
            }
            v = v * 10 + (c - '0');
            if (v < 0) {
                return false; // overflow
            }
        }
        lastTimestamp = negative ? -v : v;
        return lastTimestamp != NO_TIMESTAMP;
    }

    private static boolean ascii3(byte[] buf, int p, char a, char b, char c) {
        return (buf[p] | 0x20) == a && (buf[p + 1] | 0x20) == b && (buf[p + 2] | 0x20) == c;
    }

    /** The end of the metric name starting at {@code p}; {@code p} itself when none starts there. */
    private static int metricNameEnd(byte[] buf, int p, int end) {
        if (!isNameStart(buf[p]) && buf[p] != ':') {
            return p;
        }
        int i = p + 1;
        while (i < end && (isNameChar(buf[i]) || buf[i] == ':')) {
            i++;
        }
        return i;
    }

    private static boolean isNameStart(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
    }

    private static boolean isNameChar(byte c) {
        return isNameStart(c) || c >= '0' && c <= '9';
    }

    private static int skipBlanks(byte[] buf, int p, int end) {
        while (p < end && (buf[p] == ' ' || buf[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int tokenEnd(byte[] buf, int p, int end) {
        while (p < end && buf[p] != ' ' && buf[p] != '\t') {
            p++;
        }
        return p;
    }

    /**
     * Index of the '\n' ending the line containing {@code p}, or {@code end}. Most of a kubelet body is
     * lines of other families that are only skipped, so this looks at eight bytes at a time: a word
     * XOR '\n' in every byte has a zero byte where a newline is, and the lowest such byte is exactly
     * the lowest bit set by the has-zero-byte test (little-endian: the first in memory).
     */
    // VisibleForTesting
    static int lineEnd(byte[] buf, int p, int end) {
        while (p + 8 <= end) {
            long w = (long) LONGS.get(buf, p) ^ NEWLINES;
            long found = (w - 0x0101010101010101L) & ~w & 0x8080808080808080L;
            if (found != 0) {
                return p + (Long.numberOfTrailingZeros(found) >>> 3);
            }
            p += 8;
        }
        while (p < end && buf[p] != '\n') {
            p++;
        }
        return p;
    }
}
