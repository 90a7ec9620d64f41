package dev.netcost.core.k8s;

import dev.netcost.core.config.ClassificationConfig;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * An immutable longest-prefix-match table answering {@link TrafficClass} for a remote address, built
 * off the hot path and swapped in whole. Lookups allocate nothing: exact addresses (pod, node and
 * endpoint IPs) sit in an open-addressing hash table; prefixes (configured subnets, node pod CIDRs, VPC
 * ranges) are flattened into sorted disjoint intervals searched by bisection.
 *
 * <p>Semantics (docs/metadata.md): a load balancer's address is {@code load_balancer}, whatever else
 * claims it; an exact address beats any prefix; among prefixes, one with a zone
 * beats every VPC prefix, and otherwise the longest one wins (on a tie, the first added). A zoned entry
 * is {@code same_zone} when it is on this node or in this node's zone, {@code cross_zone} when in
 * another known zone, and {@code in_vpc} when either zone is unknown. An address with no zone inherits
 * the zone of the prefix around it. VPC prefixes give {@code in_vpc}; anything else is {@code internet}.
 * With no VPC prefix configured, the private ranges of {@link #DEFAULT_PRIVATE_RANGES} are the VPC.
 */
public final class TrafficClassifier {
    /** Private address space used as the VPC when {@code classification.vpc} is empty. */
    public static final List<Cidr> DEFAULT_PRIVATE_RANGES = List.of(Cidr.parse("10.0.0.0/8"),
            Cidr.parse("172.16.0.0/12"), Cidr.parse("192.168.0.0/16"), Cidr.parse("100.64.0.0/10"),
            Cidr.parse("fc00::/7"));

    private static final TrafficClass[] CLASSES = TrafficClass.values();
    private static final byte LB = code(TrafficClass.LOAD_BALANCER);
    private static final byte SAME = code(TrafficClass.SAME_ZONE);
    private static final byte CROSS = code(TrafficClass.CROSS_ZONE);
    private static final byte VPC = code(TrafficClass.IN_VPC);
    private static final byte INTERNET = code(TrafficClass.INTERNET);
    /** Builder-only marker for an exact address with no zone of its own. */
    private static final byte UNZONED = 0x7F;
    private static final int TIER_VPC = 0;
    private static final int TIER_ZONE = 1;
    private static final BigInteger V4_END = BigInteger.ONE.shiftLeft(32);
    private static final BigInteger V6_END = BigInteger.ONE.shiftLeft(128);

    /** Exact IPv4 addresses; {@code v4Vals[i] == 0} marks an empty slot. */
    private final int[] v4Keys;
    private final byte[] v4Vals;
    /** Exact IPv6 addresses, high and low halves. */
    private final long[] v6Hi;
    private final long[] v6Lo;
    private final byte[] v6Vals;
    /** Interval i covers [starts[i], starts[i+1]); starts are sign-flipped so signed comparison orders them unsigned. */
    private final int[] v4Starts;
    private final byte[] v4RangeVals;
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final byte[] v6RangeVals;
    private final int exactCount;
    private volatile ClassificationSets sets;

    private TrafficClassifier(int[] v4Keys, byte[] v4Vals, long[] v6Hi, long[] v6Lo, byte[] v6Vals, int[] v4Starts,
                              byte[] v4RangeVals, long[] v6StartHi, long[] v6StartLo, byte[] v6RangeVals, int exactCount) {
        this.v4Keys = v4Keys;
        this.v4Vals = v4Vals;
        this.v6Hi = v6Hi;
        this.v6Lo = v6Lo;
        this.v6Vals = v6Vals;
        this.v4Starts = v4Starts;
        this.v4RangeVals = v4RangeVals;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6RangeVals = v6RangeVals;
        this.exactCount = exactCount;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The class of an IPv4 address given as a big-endian int. Allocates nothing. */
    public TrafficClass classifyIpv4(int address) {
        int mask = v4Keys.length - 1;
        int i = mix(address) & mask;
        byte v;
        while ((v = v4Vals[i]) != 0) {
            if (v4Keys[i] == address) {
                return CLASSES[v - 1];
            }
            i = (i + 1) & mask;
        }
        return CLASSES[v4RangeVals[floor(v4Starts, address ^ Integer.MIN_VALUE)] - 1];
    }

    /** The class of an IPv6 address (high and low 64 bits); IPv4-mapped addresses are classified as IPv4. */
    public TrafficClass classifyIpv6(long high, long low) {
        if (high == 0 && (low >>> 32) == 0xFFFFL) {
            return classifyIpv4((int) low);
        }
        int mask = v6Hi.length - 1;
        int i = mix(high, low) & mask;
        byte v;
        while ((v = v6Vals[i]) != 0) {
            if (v6Hi[i] == high && v6Lo[i] == low) {
                return CLASSES[v - 1];
            }
            i = (i + 1) & mask;
        }
        return CLASSES[v6RangeVals[floor(v6StartHi, v6StartLo, high ^ Long.MIN_VALUE, low ^ Long.MIN_VALUE)] - 1];
    }

    /** Convenience for tests and tools: classifies a literal address (allocates; never resolves names). */
    public TrafficClass classify(String ip) {
        byte[] a = literal(ip);
        if (a.length == 4) {
            return classifyIpv4(toInt(a));
        }
        return classifyIpv6(toLong(a, 0), toLong(a, 8));
    }

    /** Number of exact addresses stored (those a prefix already classifies the same way are not). */
    public int exactEntries() {
        return exactCount;
    }

    /**
     * The same answers as disjoint CIDR sets (computed on first use, then cached), so any precedence
     * among the three sets gives the classifier's answer.
     */
    public ClassificationSets sets() {
        ClassificationSets s = sets;
        if (s == null) {
            s = computeSets();
            sets = s;
        }
        return s;
    }

    private static int floor(int[] starts, int key) {
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= key) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static int floor(long[] startHi, long[] startLo, long keyHi, long keyLo) {
        int lo = 0;
        int hi = startHi.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            long h = startHi[mid];
            if (h < keyHi || (h == keyHi && startLo[mid] <= keyLo)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static int mix(int a) {
        int h = a * 0x9E3779B9;
        return h ^ (h >>> 15);
    }

    private static int mix(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return (int) (h ^ (h >>> 32));
    }

    private static byte code(TrafficClass c) {
        return (byte) (c.ordinal() + 1);
    }

    static byte[] literal(String ip) {
        byte[] a = IpLiteral.parse(ip.trim());
        if (a == null) {
            throw new IllegalArgumentException("not an IP address literal: '" + ip + "'");
        }
        return a;
    }

    static int toInt(byte[] a) {
        return (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
    }

    static long toLong(byte[] a, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (a[off + i] & 0xFF);
        }
        return v;
    }

    // ---- sets: the flattened ranges overlaid with the exact addresses, cut into CIDRs

    private ClassificationSets computeSets() {
        // by code - 1: load balancer, same zone, cross zone, VPC
        List<List<Cidr>> out = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        // IPv4
        List<Interval> v4 = new ArrayList<>();
        for (int i = 0; i < v4Starts.length; i++) {
            long lo = (v4Starts[i] ^ Integer.MIN_VALUE) & 0xFFFFFFFFL;
            long end = i + 1 < v4Starts.length ? (v4Starts[i + 1] ^ Integer.MIN_VALUE) & 0xFFFFFFFFL : 1L << 32;
            v4.add(new Interval(BigInteger.valueOf(lo), BigInteger.valueOf(end), v4RangeVals[i]));
        }
        List<Interval> v4Exact = new ArrayList<>();
        for (int i = 0; i < v4Keys.length; i++) {
            if (v4Vals[i] != 0) {
                BigInteger a = BigInteger.valueOf(v4Keys[i] & 0xFFFFFFFFL);
                v4Exact.add(new Interval(a, a.add(BigInteger.ONE), v4Vals[i]));
            }
        }
        emit(overlay(v4, v4Exact), 4, out);
        // IPv6
        List<Interval> v6 = new ArrayList<>();
        for (int i = 0; i < v6StartHi.length; i++) {
            BigInteger lo = unsigned128(v6StartHi[i] ^ Long.MIN_VALUE, v6StartLo[i] ^ Long.MIN_VALUE);
            BigInteger end = i + 1 < v6StartHi.length
                    ? unsigned128(v6StartHi[i + 1] ^ Long.MIN_VALUE, v6StartLo[i + 1] ^ Long.MIN_VALUE) : V6_END;
            v6.add(new Interval(lo, end, v6RangeVals[i]));
        }
        List<Interval> v6Exact = new ArrayList<>();
        for (int i = 0; i < v6Hi.length; i++) {
            if (v6Vals[i] != 0) {
                BigInteger a = unsigned128(v6Hi[i], v6Lo[i]);
                v6Exact.add(new Interval(a, a.add(BigInteger.ONE), v6Vals[i]));
            }
        }
        emit(overlay(v6, v6Exact), 16, out);
        return new ClassificationSets(out.get(SAME - 1), out.get(CROSS - 1), out.get(VPC - 1), out.get(LB - 1));
    }

    private record Interval(BigInteger lo, BigInteger end, byte code) {
    }

    /** Disjoint covering intervals with single points (sorted here) replacing what they sit in. */
    private static List<Interval> overlay(List<Interval> ranges, List<Interval> points) {
        points.sort(Comparator.comparing(Interval::lo));
        List<Interval> out = new ArrayList<>();
        int p = 0;
        for (Interval r : ranges) {
            BigInteger cursor = r.lo();
            while (p < points.size() && points.get(p).lo().compareTo(r.end()) < 0) {
                Interval pt = points.get(p++);
                if (cursor.compareTo(pt.lo()) < 0) {
                    out.add(new Interval(cursor, pt.lo(), r.code()));
                }
                out.add(pt);
                cursor = pt.end();
            }
            if (cursor.compareTo(r.end()) < 0) {
                out.add(new Interval(cursor, r.end(), r.code()));
            }
        }
        return out;
    }

    private static void emit(List<Interval> intervals, int bytes, List<List<Cidr>> out) {
        int i = 0;
        while (i < intervals.size()) {
            Interval first = intervals.get(i);
            BigInteger end = first.end();
            int j = i + 1;
            while (j < intervals.size() && intervals.get(j).code() == first.code()) {
                end = intervals.get(j++).end();
            }
            if (first.code() != INTERNET) {
                List<Cidr> target = out.get(first.code() - 1);
                toCidrs(first.lo(), end, bytes, target);
            }
            i = j;
        }
    }

    /** The fewest CIDRs exactly covering [lo, end). */
    private static void toCidrs(BigInteger lo, BigInteger end, int bytes, List<Cidr> out) {
        int bits = bytes * 8;
        while (lo.compareTo(end) < 0) {
            int size = lo.signum() == 0 ? bits : Math.min(bits, lo.getLowestSetBit());
            while (lo.add(BigInteger.ONE.shiftLeft(size)).compareTo(end) > 0) {
                size--;
            }
            out.add(new Cidr(toBytes(lo, bytes), bits - size));
            lo = lo.add(BigInteger.ONE.shiftLeft(size));
        }
    }

    private static byte[] toBytes(BigInteger v, int bytes) {
        byte[] raw = v.toByteArray();
        byte[] out = new byte[bytes];
        int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, out, bytes - n, n);
        return out;
    }

    private static BigInteger unsigned128(long hi, long lo) {
        byte[] b = new byte[17];
        for (int i = 0; i < 8; i++) {
            b[1 + i] = (byte) (hi >>> (56 - 8 * i));
            b[9 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return new BigInteger(b);
    }

    private static BigInteger unsigned(byte[] address) {
        byte[] b = new byte[address.length + 1];
        System.arraycopy(address, 0, b, 1, address.length);
        return new BigInteger(b);
    }

    /**
     * Collects addresses and prefixes with their zones; {@link #build()} resolves them against this
     * node's zone. Not thread-safe; build off the hot path.
     */
    public static final class Builder {
        private static final int THIS_NODE = -1;
        private static final int UNKNOWN = -2;
        private static final int LOAD_BALANCER = -3;

        private String nodeZone = "";
        private final List<Prefix> prefixes = new ArrayList<>();
        private boolean vpcGiven;
        private final java.util.Map<String, Integer> zoneIds = new java.util.HashMap<>();
        private final List<String> zones = new ArrayList<>();
        private int[] v4 = new int[16];
        private int[] v4Zone = new int[16];
        private int v4Size;
        private long[] v6 = new long[16];
        private int[] v6Zone = new int[8];
        private int v6Size;

        private Builder() {
        }

        /** This node's zone; "" when unknown (then only this node's own entries are same_zone). */
        public Builder nodeZone(String zone) {
            this.nodeZone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** The configured {@code classification.zones} (as zone prefixes) and {@code classification.vpc}. */
        public Builder classification(ClassificationConfig config) {
            config.zones().forEach((zone, cidrs) -> cidrs.forEach(c -> zonePrefix(c, zone, false)));
            config.vpc().forEach(this::vpc);
            return this;
        }

        /** A VPC prefix ({@code in_vpc}). Giving any replaces {@link #DEFAULT_PRIVATE_RANGES}. */
        public Builder vpc(Cidr cidr) {
            prefixes.add(new Prefix(Objects.requireNonNull(cidr, "cidr"), TIER_VPC, prefixes.size(), UNKNOWN, true));
            vpcGiven = true;
            return this;
        }

        /** A prefix in {@code zone} ("" for unknown), e.g. a configured subnet or a node's pod CIDR. */
        public Builder zonePrefix(Cidr cidr, String zone, boolean thisNode) {
            Objects.requireNonNull(cidr, "cidr");
            prefixes.add(new Prefix(cidr, TIER_ZONE, prefixes.size(), zoneId(zone, thisNode), false));
            return this;
        }

        /** An exact address (4 or 16 bytes) in {@code zone} ("" for unknown); {@code thisNode}: on this node. */
        public Builder address(byte[] address, String zone, boolean thisNode) {
            Objects.requireNonNull(address, "address");
            return address(address, zoneId(zone, thisNode));
        }

        private Builder address(byte[] address, int z) {
            if (address.length == 4) {
                if (v4Size == v4.length) {
                    v4 = Arrays.copyOf(v4, v4Size * 2);
                    v4Zone = Arrays.copyOf(v4Zone, v4Size * 2);
                }
                v4[v4Size] = toInt(address);
                v4Zone[v4Size++] = z;
            } else if (address.length == 16) {
                if (v6Size == v6Zone.length) {
                    v6 = Arrays.copyOf(v6, v6Size * 4);
                    v6Zone = Arrays.copyOf(v6Zone, v6Size * 2);
                }
                v6[2 * v6Size] = toLong(address, 0);
                v6[2 * v6Size + 1] = toLong(address, 8);
                v6Zone[v6Size++] = z;
            } else {
                throw new IllegalArgumentException("address must have 4 or 16 bytes");
            }
            return this;
        }

        /**
         * A load balancer's ENI address: {@code load_balancer}, beating every other entry of the same
         * address (a pod, node or endpoint IP) and every prefix.
         */
        public Builder loadBalancerAddress(byte[] address) {
            Objects.requireNonNull(address, "address");
            return address(address, LOAD_BALANCER);
        }

        /** Every address of {@code lb} ({@link #loadBalancerAddress}); literals that are not addresses are skipped. */
        public Builder loadBalancer(LoadBalancer lb) {
            for (LoadBalancer.Address a : lb.addresses()) {
                byte[] b = IpLiteral.parse(a.ip().trim());
                if (b != null) {
                    loadBalancerAddress(b);
                }
            }
            return this;
        }

        /** {@link #address(byte[], String, boolean)} for a literal; false (and nothing added) when it is not one. */
        public boolean address(String ip, String zone, boolean thisNode) {
            byte[] a;
            try {
                a = literal(ip);
            } catch (IllegalArgumentException e) {
                return false;
            }
            address(a, zone, thisNode);
            return true;
        }

        private int zoneId(String zone, boolean thisNode) {
            Objects.requireNonNull(zone, "zone");
            if (thisNode) {
                return THIS_NODE;
            }
            if (zone.isEmpty()) {
                return UNKNOWN;
            }
            return zoneIds.computeIfAbsent(zone, z -> {
                zones.add(z);
                return zones.size() - 1;
            });
        }

        /** The class of a zoned entry; UNKNOWN zones give 0 (resolved from the prefix around them). */
        private byte classOf(int zoneId) {
            if (zoneId == LOAD_BALANCER) {
                return LB;
            }
            if (zoneId == THIS_NODE) {
                return SAME;
            }
            if (zoneId == UNKNOWN) {
                return 0;
            }
            if (nodeZone.isEmpty()) {
                return VPC;
            }
            return zones.get(zoneId).equals(nodeZone) ? SAME : CROSS;
        }

        public TrafficClassifier build() {
            List<Prefix> all = new ArrayList<>(prefixes);
            if (!vpcGiven) {
                for (Cidr c : DEFAULT_PRIVATE_RANGES) {
                    all.add(new Prefix(c, TIER_VPC, all.size(), UNKNOWN, true));
                }
            }
            List<Prefix> p4 = new ArrayList<>();
            List<Prefix> p6 = new ArrayList<>();
            for (Prefix p : all) {
                (p.cidr().isIpv4() ? p4 : p6).add(p);
            }
            List<BigInteger> b4 = new ArrayList<>();
            List<Byte> c4 = new ArrayList<>();
            flatten(p4, V4_END, b4, c4);
            int[] v4Starts = new int[b4.size()];
            byte[] v4RangeVals = new byte[b4.size()];
            for (int i = 0; i < v4Starts.length; i++) {
                v4Starts[i] = b4.get(i).intValue() ^ Integer.MIN_VALUE;
                v4RangeVals[i] = c4.get(i);
            }
            List<BigInteger> b6 = new ArrayList<>();
            List<Byte> c6 = new ArrayList<>();
            flatten(p6, V6_END, b6, c6);
            long[] v6StartHi = new long[b6.size()];
            long[] v6StartLo = new long[b6.size()];
            byte[] v6RangeVals = new byte[b6.size()];
            for (int i = 0; i < v6StartHi.length; i++) {
                v6StartHi[i] = b6.get(i).shiftRight(64).longValue() ^ Long.MIN_VALUE;
                v6StartLo[i] = b6.get(i).longValue() ^ Long.MIN_VALUE;
                v6RangeVals[i] = c6.get(i);
            }

            // Exact IPv4: merge duplicates (the nearer class wins), drop what the ranges already answer.
            int[] keys4 = new int[tableSize(v4Size)];
            byte[] vals4 = new byte[keys4.length];
            int n4 = 0;
            for (int i = 0; i < v4Size; i++) {
                n4 += put4(keys4, vals4, v4[i], classOf(v4Zone[i]));
            }
            int[] fk4 = new int[tableSize(n4)];
            byte[] fv4 = new byte[fk4.length];
            int kept = 0;
            for (int i = 0; i < keys4.length; i++) {
                if (vals4[i] != 0) {
                    byte range = v4RangeVals[floor(v4Starts, keys4[i] ^ Integer.MIN_VALUE)];
                    byte c = resolve(vals4[i], range);
                    if (c != range) {
                        kept += put4(fk4, fv4, keys4[i], c);
                    }
                }
            }
            long[] hi6 = new long[tableSize(v6Size)];
            long[] lo6 = new long[hi6.length];
            byte[] vals6 = new byte[hi6.length];
            int n6 = 0;
            for (int i = 0; i < v6Size; i++) {
                n6 += put6(hi6, lo6, vals6, v6[2 * i], v6[2 * i + 1], classOf(v6Zone[i]));
            }
            long[] fh6 = new long[tableSize(n6)];
            long[] fl6 = new long[fh6.length];
            byte[] fv6 = new byte[fh6.length];
            for (int i = 0; i < hi6.length; i++) {
                if (vals6[i] != 0) {
                    byte range = v6RangeVals[floor(v6StartHi, v6StartLo, hi6[i] ^ Long.MIN_VALUE, lo6[i] ^ Long.MIN_VALUE)];
                    byte c = resolve(vals6[i], range);
                    if (c != range) {
                        kept += put6(fh6, fl6, fv6, hi6[i], lo6[i], c);
                    }
                }
            }
            return new TrafficClassifier(fk4, fv4, fh6, fl6, fv6, v4Starts, v4RangeVals, v6StartHi, v6StartLo,
                    v6RangeVals, kept);
        }

        /** An unzoned address (stored as the marker UNZONED) takes the zone class of the prefix around it. */
        private static byte resolve(byte stored, byte range) {
            if (stored != UNZONED) {
                return stored;
            }
            return range == SAME || range == CROSS ? range : VPC;
        }

        private static int tableSize(int n) {
            return Math.max(2, Integer.highestOneBit(Math.max(1, n) * 2 - 1) << 1);
        }

        /** Inserts or merges (the smaller code wins); 1 when a new slot was used. */
        private static int put4(int[] keys, byte[] vals, int key, byte code) {
            byte c = code == 0 ? UNZONED : code;
            int mask = keys.length - 1;
            int i = mix(key) & mask;
            while (vals[i] != 0) {
                if (keys[i] == key) {
                    vals[i] = merge(vals[i], c);
                    return 0;
                }
                i = (i + 1) & mask;
            }
            keys[i] = key;
            vals[i] = c;
            return 1;
        }

        private static int put6(long[] his, long[] los, byte[] vals, long hi, long lo, byte code) {
            byte c = code == 0 ? UNZONED : code;
            int mask = his.length - 1;
            int i = mix(hi, lo) & mask;
            while (vals[i] != 0) {
                if (his[i] == hi && los[i] == lo) {
                    vals[i] = merge(vals[i], c);
                    return 0;
                }
                i = (i + 1) & mask;
            }
            his[i] = hi;
            los[i] = lo;
            vals[i] = c;
            return 1;
        }

        /**
         * A zoned class beats an unzoned marker; among zoned ones, the nearer (same before cross) wins,
         * and a load balancer's address (the smallest code) beats all.
         */
        private static byte merge(byte a, byte b) {
            if (a == UNZONED) {
                return b;
            }
            if (b == UNZONED) {
                return a;
            }
            return (byte) Math.min(a, b);
        }

        /** Flattens prefixes into disjoint intervals: starts (from 0) and their codes, adjacent equal codes merged. */
        private void flatten(List<Prefix> ps, BigInteger spaceEnd, List<BigInteger> starts, List<Byte> codes) {
            record Event(BigInteger at, boolean open, Prefix p) {
            }
            List<Event> events = new ArrayList<>();
            for (Prefix p : ps) {
                BigInteger lo = unsigned(p.cidr().address());
                int hostBits = p.cidr().address().length * 8 - p.cidr().prefix();
                events.add(new Event(lo, true, p));
                events.add(new Event(lo.add(BigInteger.ONE.shiftLeft(hostBits)), false, p));
            }
            events.sort(Comparator.comparing(Event::at));
            // Zone prefixes beat VPC ones, then the longest wins, then the first added.
            TreeSet<Prefix> active = new TreeSet<>(Comparator.comparingInt(Prefix::tier)
                    .thenComparingInt(p -> p.cidr().prefix()).thenComparingInt(p -> -p.order()));
            starts.add(BigInteger.ZERO);
            codes.add(INTERNET);
            int i = 0;
            while (i < events.size()) {
                BigInteger at = events.get(i).at();
                while (i < events.size() && events.get(i).at().equals(at)) {
                    Event e = events.get(i++);
                    if (e.open()) {
                        active.add(e.p());
                    } else {
                        active.remove(e.p());
                    }
                }
                if (at.compareTo(spaceEnd) >= 0) {
                    break;
                }
                byte code = active.isEmpty() ? INTERNET : codeOf(active.last());
                if (code != codes.get(codes.size() - 1)) {
                    if (starts.get(starts.size() - 1).equals(at)) {
                        codes.set(codes.size() - 1, code);
                        // merging may now equal the previous interval's code
                        if (codes.size() > 1 && codes.get(codes.size() - 2) == code) {
                            codes.remove(codes.size() - 1);
                            starts.remove(starts.size() - 1);
                        }
                    } else {
                        starts.add(at);
                        codes.add(code);
                    }
                }
            }
        }

        private byte codeOf(Prefix p) {
            if (p.vpc()) {
                return VPC;
            }
            byte c = classOf(p.zoneId());
            return c == 0 ? VPC : c;
        }
    }

    private record Prefix(Cidr cidr, int tier, int order, int zoneId, boolean vpc) {
    }
}
