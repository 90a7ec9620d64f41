package dev.netcost.iptables;

import dev.netcost.core.k8s.IpLiteral;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.TrafficClass;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The load balancers as the counting layouts see them: each with a short id that names its chains
 * and counters, and its ENI addresses of each family grouped by their zone class relative to this
 * node ({@code same_zone}, {@code cross_zone}, or {@code in_vpc} when the ENI's or the node's zone is
 * unknown). A counter exists per pod, load balancer, direction and zone class, so an ENI added to or
 * removed from a class that keeps other addresses changes no counter.
 *
 * <p>The id is 30 bits of the SHA-256 of the load balancer's name, written as six base32 characters
 * ({@code A-Z2-7}): the same load balancer gets the same chains after a restart or an address-book
 * change. Should two names ever hash alike, the later one by name hashes {@code name#1},
 * {@code name#2}, ... instead.
 */
final class LoadBalancerIndex {
    static final LoadBalancerIndex EMPTY = new LoadBalancerIndex(List.of());
    /** The zone classes a load balancer's address can have, in the order of their counters. */
    static final List<TrafficClass> ZONE_CLASSES = List.of(TrafficClass.SAME_ZONE, TrafficClass.CROSS_ZONE, TrafficClass.IN_VPC);
    static final int CODE_LENGTH = 6;
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    /**
     * One load balancer.
     *
     * @param addresses4 its IPv4 addresses (as iptables-save prints them) by zone class, classes in
     *                   {@link #ZONE_CLASSES} order, only those with addresses
     * @param addresses6 the same for IPv6
     */
    record Entry(LoadBalancer loadBalancer, int id, String code, Map<TrafficClass, List<String>> addresses4,
                 Map<TrafficClass, List<String>> addresses6) {
        /** The addresses of one family by zone class. */
        Map<TrafficClass, List<String>> addresses(boolean ipv6) {
            return ipv6 ? addresses6 : addresses4;
        }
    }

    private final List<Entry> entries;
    // id -> entry index + 1 (0: empty), open addressing
    private final int[] ids;
    private final int[] slots;

    private LoadBalancerIndex(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        int capacity = Integer.highestOneBit(Math.max(1, entries.size()) * 4);
        this.ids = new int[capacity];
        this.slots = new int[capacity];
        for (int i = 0; i < entries.size(); i++) {
            int id = entries.get(i).id();
            int mask = capacity - 1;
            int at = hash(id) & mask;
            while (slots[at] != 0) {
                at = (at + 1) & mask;
            }
            ids[at] = id;
            slots[at] = i + 1;
        }
    }

    /** The load balancers with at least one usable address, sorted by name. */
    static LoadBalancerIndex build(List<LoadBalancer> loadBalancers, String nodeZone) {
        if (loadBalancers.isEmpty()) {
            return EMPTY;
        }
        List<LoadBalancer> sorted = new ArrayList<>(loadBalancers);
        sorted.sort(Comparator.comparing(LoadBalancer::name));
        Set<Integer> taken = new HashSet<>();
        Set<String> seenAddresses = new HashSet<>();
        List<Entry> out = new ArrayList<>();
        for (LoadBalancer lb : sorted) {
            Map<TrafficClass, TreeSet<byte[]>> v4 = new LinkedHashMap<>();
            Map<TrafficClass, TreeSet<byte[]>> v6 = new LinkedHashMap<>();
            for (LoadBalancer.Address a : lb.addresses()) {
                byte[] b = IpLiteral.parse(a.ip().trim());
                // an address belongs to one load balancer (the config checks it; discovery may not)
                if (b == null || !seenAddresses.add(Arrays.toString(b))) {
                    continue;
                }
                (b.length == 4 ? v4 : v6).computeIfAbsent(zoneClass(a.zone(), nodeZone),
                        c -> new TreeSet<>(Arrays::compareUnsigned)).add(b);
            }
            if (v4.isEmpty() && v6.isEmpty()) {
                continue;
            }
            int id;
            int attempt = 0;
            do {
                id = id(attempt == 0 ? lb.name() : lb.name() + "#" + attempt);
                attempt++;
            } while (!taken.add(id));
            out.add(new Entry(lb, id, code(id), texts(v4), texts(v6)));
        }
        return new LoadBalancerIndex(out);
    }

    private static Map<TrafficClass, List<String>> texts(Map<TrafficClass, TreeSet<byte[]>> byClass) {
        Map<TrafficClass, List<String>> out = new LinkedHashMap<>();
        for (TrafficClass c : ZONE_CLASSES) {
            TreeSet<byte[]> set = byClass.get(c);
            if (set != null) {
                out.put(c, set.stream().map(ChainNames::addressToString).toList());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The class of a load balancer's address seen from this node: {@code same_zone} when its ENI is in
     * this node's zone, {@code cross_zone} in another zone, {@code in_vpc} when either zone is unknown
     * (the classifier's rule for any zoned address).
     */
    static TrafficClass zoneClass(String eniZone, String nodeZone) {
        if (eniZone.isEmpty() || nodeZone.isEmpty()) {
            return TrafficClass.IN_VPC;
        }
        return eniZone.equals(nodeZone) ? TrafficClass.SAME_ZONE : TrafficClass.CROSS_ZONE;
    }

    /** 30 bits of the SHA-256 of {@code text}. */
    static int id(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return ((h[0] & 0xFF) << 22 | (h[1] & 0xFF) << 14 | (h[2] & 0xFF) << 6 | (h[3] & 0xFF) >>> 2);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("BUG: every JDK has SHA-256", e);
        }
    }

    /** An id as six base32 characters, most significant first. */
    static String code(int id) {
        char[] c = new char[CODE_LENGTH];
        for (int i = CODE_LENGTH - 1; i >= 0; i--) {
            c[i] = BASE32[id & 31];
            id >>>= 5;
        }
        return new String(c);
    }

    /** The value of one base32 character (either case), or -1. */
    static int base32(int ch) {
        if (ch >= 'A' && ch <= 'Z') {
            return ch - 'A';
        }
        if (ch >= 'a' && ch <= 'z') {
            return ch - 'a';
        }
        if (ch >= '2' && ch <= '7') {
            return ch - '2' + 26;
        }
        return -1;
    }

    /** The short name of a zone class in chain names: S, X, V. */
    static char classCode(TrafficClass c) {
        return switch (c) {
            case SAME_ZONE -> 'S';
            case CROSS_ZONE -> 'X';
            case IN_VPC -> 'V';
            default -> throw new IllegalArgumentException("not a load balancer address's class: " + c);
        };
    }

    /** The zone class of a chain-name letter, or null. */
    static TrafficClass ofClassCode(int c) {
        return c == 'S' ? TrafficClass.SAME_ZONE : c == 'X' ? TrafficClass.CROSS_ZONE : c == 'V' ? TrafficClass.IN_VPC : null;
    }

    List<Entry> entries() {
        return entries;
    }

    /** Whether some load balancer has an address of the family. */
    boolean hasFamily(boolean ipv6) {
        for (Entry e : entries) {
            if (!e.addresses(ipv6).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The index in {@link #entries()} of the load balancer with this id, or -1. Allocates nothing. */
    int indexOf(int id) {
        int mask = ids.length - 1;
        for (int at = hash(id) & mask; slots[at] != 0; at = (at + 1) & mask) {
            if (ids[at] == id) {
                return slots[at] - 1;
            }
        }
        return -1;
    }

    private static int hash(int id) {
        int h = id * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadBalancerIndex other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }
}
