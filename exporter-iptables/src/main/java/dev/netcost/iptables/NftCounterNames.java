package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.nio.charset.StandardCharsets;

/**
 * Decodes netcost's counter names ({@code <e|i><4|6>-<class label>-<8 or 32 lower-case hex digits>},
 * see {@link NftRuleset#counterName}) straight from bytes, allocating nothing: after a successful
 * {@link #parse}, the fields hold the counter's direction, class and address. One instance per reader.
 */
final class NftCounterNames {
    private static final Direction[] DIRECTIONS = Direction.values();
    private static final TrafficClass[] CLASSES = TrafficClass.values();
    private static final byte[][] LABELS = new byte[CLASSES.length][];

    static {
        for (TrafficClass c : CLASSES) {
            LABELS[c.ordinal()] = c.label().getBytes(StandardCharsets.US_ASCII);
        }
    }

    Direction direction;
    TrafficClass trafficClass;
    boolean ipv6;
    /** The address's first 8 bytes (IPv6 only), big-endian. */
    long high;
    /** The IPv4 address, or the IPv6 address's last 8 bytes, big-endian. */
    long low;

    /** Whether {@code buf[at, at + len)} is one of netcost's counter names; if so the fields describe it. */
    boolean parse(byte[] buf, int at, int len) {
        if (len < 4 || buf[at + 2] != '-') {
            return false;
        }
        Direction d = buf[at] == 'e' ? Direction.EGRESS : buf[at] == 'i' ? Direction.INGRESS : null;
        boolean v6 = buf[at + 1] == '6';
        if (d == null || !v6 && buf[at + 1] != '4') {
            return false;
        }
        TrafficClass cls = null;
        int p = at + 3;
        for (int c = 0; c < LABELS.length; c++) {
            byte[] label = LABELS[c];
            if (p + label.length < at + len && startsWith(buf, p, label) && buf[p + label.length] == '-') {
                cls = CLASSES[c];
                p += label.length + 1;
                break;
            }
        }
        int digits = at + len - p;
        if (cls == null || digits != (v6 ? 32 : 8)) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < digits; i++) {
            int v = hex(buf[p + i]);
            if (v < 0) {
                return false;
            }
            if (v6 && i < 16) {
                hi = (hi << 4) | v;
            } else {
                lo = (lo << 4) | v;
            }
        }
        direction = d;
        trafficClass = cls;
        ipv6 = v6;
        high = hi;
        low = lo;
        return true;
    }

    /** Hands the counter just parsed to {@code sink}. */
    void emit(CounterSink sink, long packets, long bytes) {
        if (ipv6) {
            sink.ipv6(direction, trafficClass, high, low, packets, bytes);
        } else {
            sink.ipv4(direction, trafficClass, (int) low, packets, bytes);
        }
    }

    private static boolean startsWith(byte[] buf, int at, byte[] p) {
        for (int i = 0; i < p.length; i++) {
            if (buf[at + i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        return -1;
    }
}
