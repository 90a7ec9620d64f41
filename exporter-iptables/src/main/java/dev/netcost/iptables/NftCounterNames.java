package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.nio.charset.StandardCharsets;

/**
 * Decodes netcost's counter names ({@code <e|i><4|6>-<class label>-<8 or 32 lower-case hex digits>},
 * see {@link NftRuleset#counterName}, the {@code load_balancer} class included (the pods outside a
 * load balancer's targets), and the load balancers'
 * {@code l<e|i><4|6>-<zone class label>-<id>-<hex>} / {@code lc<4|6>-<id>-<hex>}, see
 * {@link NftRuleset#loadBalancerCounterName}) straight from bytes, allocating nothing: after a
 * successful {@link #parse}, the fields hold the counter's direction, class and address, and for a
 * load balancer's counter its kind, zone class and id. One instance per reader.
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
    /** The kind of a load balancer's counter; null for a class counter. */
    LoadBalancerCounter loadBalancerKind;
    int loadBalancerId;
    boolean ipv6;
    /** The address's first 8 bytes (IPv6 only), big-endian. */
    long high;
    /** The IPv4 address, or the IPv6 address's last 8 bytes, big-endian. */
    long low;

    /** Whether {@code buf[at, at + len)} is one of netcost's counter names; if so the fields describe it. */
    boolean parse(byte[] buf, int at, int len) {
        if (len >= 5 && buf[at] == 'l') {
            return parseLoadBalancer(buf, at, len);
        }
        if (len < 4 || buf[at + 2] != '-') {
            return false;
        }
        Direction d = buf[at] == 'e' ? Direction.EGRESS : buf[at] == 'i' ? Direction.INGRESS : null;
        boolean v6 = buf[at + 1] == '6';
        if (d == null || !v6 && buf[at + 1] != '4') {
            return false;
        }
        int p = at + 3;
        TrafficClass cls = zoneLabel(buf, p, at + len);
        if (cls == null) {
            return false;
        }
        p += LABELS[cls.ordinal()].length + 1;
        if (!address(buf, p, at + len, v6)) {
            return false;
        }
        direction = d;
        trafficClass = cls;
        loadBalancerKind = null;
        return true;
    }

    /** {@code l<e|i|c><4|6>-[<class>-]<id>-<hex>}. */
    private boolean parseLoadBalancer(byte[] buf, int at, int len) {
        LoadBalancerCounter kind = LoadBalancerCounter.ofCounterCode(buf[at + 1]);
        boolean v6 = buf[at + 2] == '6';
        if (kind == null || !v6 && buf[at + 2] != '4' || buf[at + 3] != '-') {
            return false;
        }
        int end = at + len;
        int p = at + 4;
        TrafficClass cls = null;
        if (kind != LoadBalancerCounter.CONNECTIONS) {
            cls = zoneLabel(buf, p, end);
            if (cls == null || !LoadBalancerIndex.ZONE_CLASSES.contains(cls)) {
                return false;
            }
            p += LABELS[cls.ordinal()].length + 1;
        }
        if (p + LoadBalancerIndex.CODE_LENGTH >= end || buf[p + LoadBalancerIndex.CODE_LENGTH] != '-') {
            return false;
        }
        int id = 0;
        for (int i = p; i < p + LoadBalancerIndex.CODE_LENGTH; i++) {
            int v = buf[i] >= 'a' && buf[i] <= 'z' || buf[i] >= '2' && buf[i] <= '7' ? LoadBalancerIndex.base32(buf[i]) : -1;
            if (v < 0) {
                return false;
            }
            id = id << 5 | v;
        }
        if (!address(buf, p + LoadBalancerIndex.CODE_LENGTH + 1, end, v6)) {
            return false;
        }
        direction = kind.direction();
        trafficClass = cls;
        loadBalancerKind = kind;
        loadBalancerId = id;
        return true;
    }

    /** The class whose label, followed by '-', starts at {@code p}; or null. */
    private static TrafficClass zoneLabel(byte[] buf, int p, int end) {
        for (int c = 0; c < LABELS.length; c++) {
            byte[] label = LABELS[c];
            if (p + label.length < end && startsWith(buf, p, label) && buf[p + label.length] == '-') {
                return CLASSES[c];
            }
        }
        return null;
    }

    /** Parses the address's hex digits in {@code buf[p, end)} into {@link #high} and {@link #low}. */
    private boolean address(byte[] buf, int p, int end, boolean v6) {
        int digits = end - p;
        if (digits != (v6 ? 32 : 8)) {
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
        ipv6 = v6;
        high = hi;
        low = lo;
        return true;
    }

    /** Hands the counter just parsed to {@code sink}. */
    void emit(CounterSink sink, long packets, long bytes) {
        if (loadBalancerKind != null) {
            if (ipv6) {
                sink.loadBalancer6(loadBalancerKind, trafficClass, loadBalancerId, high, low, packets, bytes);
            } else {
                sink.loadBalancer4(loadBalancerKind, trafficClass, loadBalancerId, (int) low, packets, bytes);
            }
        } else if (ipv6) {
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
