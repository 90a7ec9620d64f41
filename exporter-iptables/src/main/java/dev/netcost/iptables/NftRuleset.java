package dev.netcost.iptables;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What netcost's own nf_tables table ({@code inet netcost}) should hold for the local pods and
 * classification sets: one named counter per pod address, direction and class, selected by an
 * objref map per direction, family and class (pod address → counter), and one interval set of CIDRs
 * per family and class:
 * <pre>
 * counter e4-same_zone-0a0a0102                      &lt;e|i&gt;&lt;4|6&gt;-&lt;class&gt;-&lt;address in hex&gt;
 * map e4_same_zone { type ipv4_addr : counter; }     10.10.1.2 : "e4-same_zone-0a0a0102"
 * set same4 { type ipv4_addr; flags interval; }      10.10.0.0/16
 * chain egress  { ip daddr @same4 counter name ip saddr map @e4_same_zone return ... }
 * chain ingress { ip saddr @same4 counter name ip daddr map @i4_same_zone return ... }
 * chain postrouting { type filter hook postrouting priority mangle; policy accept; jump egress; jump ingress }
 * </pre>
 * Known load balancers' addresses come first: one interval set of them per family, and per family
 * and counter kind one map from (pod address . load balancer address) to the counter of that pod,
 * load balancer and zone class ({@link #loadBalancerCounterName}); new connections are counted
 * (without {@code return}) before the ingress bytes:
 * <pre>
 * set lb4 { type ipv4_addr; flags interval; }                                  10.0.1.50/32
 * map i4_lb { type ipv4_addr . ipv4_addr : counter; }   10.10.1.2 . 10.0.1.50 : "li4-same_zone-abcdef-0a0a0102"
 * chain ingress { ct state new ip saddr @lb4 counter name ip daddr . ip saddr map @c4_lb
 *                 ip saddr @lb4 counter name ip daddr . ip saddr map @i4_lb return ... }
 * chain egress  { ip daddr @lb4 counter name ip saddr . ip daddr map @e4_lb return ... }
 * </pre>
 * A pod's {@code load_balancer} class is the sum of its load-balancer counters, plus its
 * {@code load_balancer} class counter when it has one: a load balancer whose targets are known
 * ({@link dev.netcost.core.k8s.LoadBalancer.Targets}) has pair-map entries for its target pods only;
 * as soon as some load balancer's targets leave out a pod, every pod gets one more counter per
 * direction, matched after the pair maps, so that the traffic of a pod outside the targets with a
 * load-balancer address is still {@code load_balancer} (not attributed to a load balancer, but never
 * lost to the zone classes; every pod, so that a pod joining the targets keeps its counter):
 * <pre>
 * chain ingress { ... ip saddr @lb4 counter name ip daddr . ip saddr map @i4_lb return
 *                 ip saddr @lb4 counter name ip daddr map @i4_load_balancer return ... }
 * </pre>
 * A pair map no pod is in (no local target) has no rule.
 * Classes in the precedence of {@link ClassificationSets} (same zone, cross zone, VPC, then the
 * internet catch-all), first match wins; a packet whose pod address is not in the map does not
 * match the rule and is counted nowhere. A class with no CIDRs of a family, and a family no local
 * pod has an address of, cost no set, map, rule or counter. Rules are written exactly as
 * {@code nft list} prints them, so they can be compared with the kernel's.
 */
final class NftRuleset {
    /** The chains, in the order they are declared. */
    static final List<String> CHAINS = List.of("egress", "ingress", "postrouting");
    static final String HOOK = "type filter hook postrouting priority mangle; policy accept;";
    static final List<String> POSTROUTING = List.of("jump egress", "jump ingress");

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final TrafficClass[] CLASSES = TrafficClass.values();

    /** One interval set of CIDRs. */
    record NamedSet(String name, boolean ipv6, List<String> elements) {
        NamedSet {
            elements = List.copyOf(elements);
        }
    }

    /**
     * One map of pod address → counter name, or with {@code pair} of (pod address . other address) →
     * counter name.
     */
    record CounterMap(String name, boolean ipv6, boolean pair, Map<String, String> elements) {
        CounterMap(String name, boolean ipv6, Map<String, String> elements) {
            this(name, ipv6, false, elements);
        }

        CounterMap {
            elements = Collections.unmodifiableMap(new LinkedHashMap<>(elements));
        }
    }

    private final String table;
    private final List<NamedSet> sets;
    private final List<CounterMap> maps;
    private final Map<String, List<String>> rules;
    private final Map<String, String> counterAddress;
    private final Map<String, String> podByAddress;
    private final List<String> skipped;

    private NftRuleset(String table, List<NamedSet> sets, List<CounterMap> maps, Map<String, List<String>> rules,
                       Map<String, String> counterAddress, Map<String, String> podByAddress, List<String> skipped) {
        this.table = table;
        this.sets = List.copyOf(sets);
        this.maps = List.copyOf(maps);
        this.rules = rules;
        this.counterAddress = counterAddress;
        this.podByAddress = podByAddress;
        this.skipped = List.copyOf(skipped);
    }

    /** The table of a chain prefix: {@code NETCOST} → {@code netcost}. */
    static String tableName(ChainNames names) {
        return names.main().toLowerCase(Locale.ROOT);
    }

    /**
     * The wanted state for these pods: each pod's first address of each family (IPv6 only when
     * {@code ipv6}), hostNetwork pods excepted (they share the node's address). When two pods claim
     * one address the first by namespace/name keeps it and the other is reported in {@link #skipped()}.
     */
    static NftRuleset build(String table, List<PodInfo> pods, ClassificationSets classes, boolean ipv6) {
        return build(table, pods, classes, LoadBalancerIndex.EMPTY, ipv6);
    }

    /** As above, with counters for the known load balancers. */
    static NftRuleset build(String table, List<PodInfo> pods, ClassificationSets classes, LoadBalancerIndex lbs, boolean ipv6) {
        List<PodInfo> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(AccountingRules::podKey));
        TreeMap<Address, String> v4 = new TreeMap<>();
        TreeMap<Address, String> v6 = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        Map<String, PodInfo> byKey = new LinkedHashMap<>();
        for (PodInfo p : sorted) {
            if (p.hostNetwork()) {
                continue;
            }
            String key = AccountingRules.podKey(p);
            byKey.put(key, p);
            boolean seen4 = false;
            boolean seen6 = false;
            for (String ip : p.ips()) {
                byte[] a4 = seen4 ? null : ChainNames.parseAddress(ip, false);
                byte[] a6 = seen6 || !ipv6 ? null : ChainNames.parseAddress(ip, true);
                if (a4 != null) {
                    seen4 = true;
                    claim(v4, new Address(a4), key, skipped);
                } else if (a6 != null) {
                    seen6 = true;
                    claim(v6, new Address(a6), key, skipped);
                }
            }
        }
        List<NamedSet> sets = new ArrayList<>();
        List<CounterMap> maps = new ArrayList<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        rules.put("egress", new ArrayList<>());
        rules.put("ingress", new ArrayList<>());
        rules.put("postrouting", POSTROUTING);
        Map<String, String> counterAddress = new LinkedHashMap<>();
        Map<String, String> podByAddress = new LinkedHashMap<>();
        family(false, v4, byKey, classes, lbs, sets, maps, rules, counterAddress, podByAddress);
        family(true, v6, byKey, classes, lbs, sets, maps, rules, counterAddress, podByAddress);
        rules.replaceAll((chain, list) -> List.copyOf(list));
        return new NftRuleset(table, sets, maps, Collections.unmodifiableMap(rules),
                Collections.unmodifiableMap(counterAddress), Collections.unmodifiableMap(podByAddress), skipped);
    }

    private static void claim(Map<Address, String> owners, Address a, String key, List<String> skipped) {
        String previous = owners.putIfAbsent(a, key);
        if (previous != null && !previous.equals(key)) {
            skipped.add(key + " (" + a.literal() + " already belongs to " + previous + ")");
        }
    }

    private static void family(boolean ipv6, TreeMap<Address, String> pods, Map<String, PodInfo> byKey,
                               ClassificationSets classes, LoadBalancerIndex lbs,
                               List<NamedSet> sets, List<CounterMap> maps, Map<String, List<String>> rules,
                               Map<String, String> counterAddress, Map<String, String> podByAddress) {
        if (pods.isEmpty()) {
            return;
        }
        int f = ipv6 ? 6 : 4;
        String ip = ipv6 ? "ip6" : "ip";
        for (Map.Entry<Address, String> e : pods.entrySet()) {
            podByAddress.put(e.getKey().literal(), e.getValue());
        }
        if (lbs.hasFamily(ipv6)) {
            loadBalancers(ipv6, pods, byKey, lbs, sets, maps, rules, counterAddress);
        }
        for (TrafficClass cls : CLASSES) {
            if (cls == TrafficClass.LOAD_BALANCER) {
                continue; // counted by the load balancers' maps above
            }
            String set = null;
            if (cls != TrafficClass.INTERNET) {
                List<String> cidrs = merged(classes.cidrs(cls), ipv6);
                if (cidrs.isEmpty()) {
                    continue;
                }
                set = setName(cls) + f;
                sets.add(new NamedSet(set, ipv6, cidrs));
            }
            for (Direction d : Direction.values()) {
                boolean egress = d == Direction.EGRESS;
                String map = mapName(d, ipv6, cls);
                Map<String, String> elements = new LinkedHashMap<>();
                for (Address a : pods.keySet()) {
                    String counter = counterName(d, cls, a.bytes());
                    elements.put(a.literal(), counter);
                    counterAddress.put(counter, a.literal());
                }
                maps.add(new CounterMap(map, ipv6, elements));
                String match = set == null ? "" : ip + (egress ? " daddr @" : " saddr @") + set + " ";
                rules.get(d.label()).add(match + "counter name " + ip + (egress ? " saddr" : " daddr") + " map @" + map + " return");
            }
        }
    }

    /** The load balancers' set, maps, counters and rules of one family. */
    private static void loadBalancers(boolean ipv6, TreeMap<Address, String> pods, Map<String, PodInfo> byKey,
                                      LoadBalancerIndex lbs, List<NamedSet> sets, List<CounterMap> maps,
                                      Map<String, List<String>> rules, Map<String, String> counterAddress) {
        int f = ipv6 ? 6 : 4;
        String ip = ipv6 ? "ip6" : "ip";
        String set = "lb" + f;
        List<String> all = new ArrayList<>();
        for (LoadBalancerIndex.Entry lb : lbs.entries()) {
            for (List<String> addresses : lb.addresses(ipv6).values()) {
                for (String a : addresses) {
                    all.add(a + (ipv6 ? "/128" : "/32"));
                }
            }
        }
        all.sort(Comparator.comparing((String a) -> new Address(Objects.requireNonNull(
                ChainNames.parseAddress(a.substring(0, a.indexOf('/')), ipv6)))));
        sets.add(new NamedSet(set, ipv6, all));
        // pod address -> the load balancers of the family targeting it; whether some one leaves out a pod
        Map<Address, List<LoadBalancerIndex.Entry>> targeting = new LinkedHashMap<>();
        boolean anyPartial = false;
        for (Map.Entry<Address, String> pod : pods.entrySet()) {
            PodInfo info = byKey.get(pod.getValue());
            List<LoadBalancerIndex.Entry> in = new ArrayList<>();
            for (LoadBalancerIndex.Entry lb : lbs.entries()) {
                if (lb.addresses(ipv6).isEmpty()) {
                    continue;
                }
                if (lb.loadBalancer().targets().includes(info)) {
                    in.add(lb);
                } else {
                    anyPartial = true;
                }
            }
            targeting.put(pod.getKey(), in);
        }
        for (LoadBalancerCounter kind : List.of(LoadBalancerCounter.CONNECTIONS, LoadBalancerCounter.INGRESS,
                LoadBalancerCounter.EGRESS)) {
            String map = kind.counterCode() + "" + f + "_lb";
            Map<String, String> elements = new LinkedHashMap<>();
            for (Map.Entry<Address, List<LoadBalancerIndex.Entry>> pod : targeting.entrySet()) {
                for (LoadBalancerIndex.Entry lb : pod.getValue()) {
                    for (Map.Entry<TrafficClass, List<String>> byClass : lb.addresses(ipv6).entrySet()) {
                        String counter = loadBalancerCounterName(kind, byClass.getKey(), lb.code(), pod.getKey().bytes());
                        counterAddress.put(counter, pod.getKey().literal());
                        for (String a : byClass.getValue()) {
                            elements.put(pod.getKey().literal() + " . " + a, counter);
                        }
                    }
                }
            }
            boolean egress = kind == LoadBalancerCounter.EGRESS;
            List<String> chain = rules.get(egress ? "egress" : "ingress");
            if (!elements.isEmpty()) {
                maps.add(new CounterMap(map, ipv6, true, elements));
                chain.add((kind == LoadBalancerCounter.CONNECTIONS ? "ct state new " : "")
                        + ip + (egress ? " daddr @" : " saddr @") + set + " counter name "
                        + (egress ? ip + " saddr . " + ip + " daddr" : ip + " daddr . " + ip + " saddr") + " map @" + map
                        + (kind == LoadBalancerCounter.CONNECTIONS ? "" : " return"));
            }
            if (kind != LoadBalancerCounter.CONNECTIONS && anyPartial) {
                Direction d = kind.direction();
                String others = mapName(d, ipv6, TrafficClass.LOAD_BALANCER);
                Map<String, String> byPod = new LinkedHashMap<>();
                for (Address pod : pods.keySet()) {
                    String counter = counterName(d, TrafficClass.LOAD_BALANCER, pod.bytes());
                    byPod.put(pod.literal(), counter);
                    counterAddress.put(counter, pod.literal());
                }
                maps.add(new CounterMap(others, ipv6, byPod));
                chain.add(ip + (egress ? " daddr @" : " saddr @") + set + " counter name " + ip + (egress ? " saddr" : " daddr")
                        + " map @" + others + " return");
            }
        }
    }

    /**
     * A load balancer's counter of one pod address (4 or 16 bytes): {@code le4-same_zone-abcdef-0a0a0102}
     * (egress to its addresses of class same zone; {@code li} ingress) or {@code lc4-abcdef-0a0a0102}
     * (its new connections); {@code abcdef} is its {@link LoadBalancerIndex} code in lower case.
     */
    static String loadBalancerCounterName(LoadBalancerCounter kind, TrafficClass zoneClass, String code, byte[] address) {
        StringBuilder sb = new StringBuilder(48);
        sb.append('l').append(kind.counterCode()).append(address.length == 16 ? '6' : '4').append('-');
        if (kind != LoadBalancerCounter.CONNECTIONS) {
            sb.append(zoneClass.label()).append('-');
        }
        sb.append(code.toLowerCase(Locale.ROOT)).append('-');
        for (byte b : address) {
            sb.append(HEX[(b >>> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return sb.toString();
    }

    /**
     * The CIDRs of one family, sorted, without duplicates and without those inside another one
     * (an interval set rejects overlapping elements; two prefixes either nest or are disjoint).
     */
    // VisibleForTesting
    static List<String> merged(List<Cidr> cidrs, boolean ipv6) {
        List<Cidr> family = new ArrayList<>();
        for (Cidr c : cidrs) {
            if (c.isIpv4() != ipv6) {
                family.add(c);
            }
        }
        family.sort(Comparator.comparing((Cidr c) -> new Address(c.address())).thenComparingInt(Cidr::prefix));
        List<String> out = new ArrayList<>();
        Cidr last = null;
        for (Cidr c : family) {
            if (last != null && contains(last, c)) {
                continue;
            }
            out.add(new Address(c.address()).literal() + "/" + c.prefix());
            last = c;
        }
        return out;
    }

    /** Whether {@code outer} contains {@code inner} (same family). */
    private static boolean contains(Cidr outer, Cidr inner) {
        if (inner.prefix() < outer.prefix()) {
            return false;
        }
        byte[] a = outer.address();
        byte[] b = inner.address();
        for (int bit = 0; bit < outer.prefix(); bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((a[bit >>> 3] & mask) != (b[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static String setName(TrafficClass cls) {
        return switch (cls) {
            case SAME_ZONE -> "same";
            case CROSS_ZONE -> "cross";
            case IN_VPC -> "vpc";
            case INTERNET -> throw new IllegalArgumentException("the internet class is the catch-all: no set");
            case LOAD_BALANCER -> "lb";
        };
    }

    /** {@code e4_same_zone}: the map of one direction, family and class. */
    static String mapName(Direction d, boolean ipv6, TrafficClass cls) {
        return prefix(d, ipv6) + "_" + cls.label();
    }

    /** {@code e4-same_zone-0a0a0102}: the counter of one pod address (4 or 16 bytes), direction and class. */
    static String counterName(Direction d, TrafficClass cls, byte[] address) {
        StringBuilder sb = new StringBuilder(4 + cls.label().length() + address.length * 2);
        sb.append(prefix(d, address.length == 16)).append('-').append(cls.label()).append('-');
        for (byte b : address) {
            sb.append(HEX[(b >>> 4) & 0xF]).append(HEX[b & 0xF]);
        }
        return sb.toString();
    }

    private static String prefix(Direction d, boolean ipv6) {
        return (d == Direction.EGRESS ? "e" : "i") + (ipv6 ? "6" : "4");
    }

    String table() {
        return table;
    }

    List<NamedSet> sets() {
        return sets;
    }

    List<CounterMap> maps() {
        return maps;
    }

    /** Each chain's rules as {@code nft list} prints them, in {@link #CHAINS} order. */
    Map<String, List<String>> rules() {
        return rules;
    }

    /** Counter name → the pod address it counts (as written in the maps), in script order. */
    Map<String, String> counters() {
        return counterAddress;
    }

    /** Pod address (as written in the maps) → the key ({@code namespace/name}) of the pod it counts. */
    Map<String, String> podByAddress() {
        return podByAddress;
    }

    /** Pods not counted because another pod (first by namespace/name) has their address. */
    List<String> skipped() {
        return skipped;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NftRuleset r && table.equals(r.table) && sets.equals(r.sets) && maps.equals(r.maps)
                && rules.equals(r.rules) && podByAddress.equals(r.podByAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, sets, maps, rules, podByAddress);
    }

    /** An address's bytes, ordered as unsigned numbers, written as nft prints it. */
    private record Address(byte[] bytes) implements Comparable<Address> {
        String literal() {
            return ChainNames.addressToString(bytes);
        }

        @Override
        public int compareTo(Address o) {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && Arrays.equals(bytes, a.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }
}
