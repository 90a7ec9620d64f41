package dev.netcost.iptables;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules netcost wants in one mangle table (iptables or ip6tables) for one set of pods and
 * classification sets, each written exactly as {@code iptables-save} prints it, so that comparing
 * with the kernel's state is a string comparison.
 *
 * <pre>
 * -A POSTROUTING -m comment --comment netcost -j NETCOST      (the one jump)
 * -A NETCOST -j NETCOST-EGRESS
 * -A NETCOST -j NETCOST-INGRESS
 * -A NETCOST-EGRESS -d 10.10.0.0/16 -g NETCOST-E-SAME         (classification, first match:
 * -A NETCOST-EGRESS -d 10.20.0.0/16 -g NETCOST-E-CROSS          same zone, cross zone, VPC, internet)
 * -A NETCOST-EGRESS -d 10.0.0.0/16 -g NETCOST-E-VPC
 * -A NETCOST-EGRESS -g NETCOST-E-INET
 * -A NETCOST-INGRESS -s 10.10.0.0/16 -g NETCOST-I-SAME        (ingress classifies the source)
 * -A NETCOST-E-SAME -s 10.10.1.2/32 -j RETURN                 (counting: one rule per pod, class, direction)
 * -A NETCOST-I-SAME -d 10.10.1.2/32 -j RETURN
 * </pre>
 *
 * <p>Known load balancers' addresses come first, each to its load balancer's chain of the direction
 * and the address's zone class, with one counting rule per pod; the ingress side first jumps new
 * connections from them to the load balancer's connection chain (which returns):
 * <pre>
 * -A NETCOST-INGRESS -s 10.0.1.50/32 -m conntrack --ctstate NEW -j NETCOST-LCN-ABCDEF
 * -A NETCOST-INGRESS -s 10.0.1.50/32 -g NETCOST-LIS-ABCDEF
 * -A NETCOST-EGRESS -d 10.0.1.50/32 -g NETCOST-LES-ABCDEF
 * -A NETCOST-LES-ABCDEF -s 10.10.1.2/32 -j RETURN
 * -A NETCOST-LCN-ABCDEF -d 10.10.1.2/32 -j RETURN
 * </pre>
 * The pod's {@code load_balancer} class is the sum of its load-balancer counters, plus its rule in
 * the class chain {@code NETCOST-E-LB} / {@code NETCOST-I-LB} when it has one.
 *
 * <p>A load balancer whose targets are known ({@link LoadBalancer.Targets}) has counting rules for
 * its target pods only. Its byte chains then end with a goto to the {@code load_balancer} class
 * chain, which has one counting rule for every pod as soon as some load balancer's targets leave
 * out a pod, so that traffic between a pod outside the targets and a known load-balancer address is
 * still counted, and counted as {@code load_balancer} (never by the address's zone): it is not
 * attributed to the load balancer (no such counter), but no byte is lost. Every pod, not only those
 * outside, so that a pod joining a load balancer's targets keeps that counter: its
 * {@code load_balancer} series never drops (which Prometheus would take for a reset). Its connection chain (and the jumps to it) exists only
 * while some local pod is a target. The tail rule is not a counting rule: readers skip it.
 * <pre>
 * -A NETCOST-LES-ABCDEF -s 10.10.1.2/32 -j RETURN             (a target pod)
 * -A NETCOST-LES-ABCDEF -g NETCOST-E-LB                       (the tail, always last)
 * -A NETCOST-E-LB -s 10.10.1.3/32 -j RETURN                   (every pod, once)
 * </pre>
 *
 * A counting rule's pod is its address; its direction and class are its chain's. {@code -g} makes
 * the end of a class chain return to the main chain, which then jumps to the ingress side. A class
 * with no CIDRs (or no pod at all) has no classification rule and no class chain.
 *
 * <p>A class with more CIDRs than the set threshold is classified by one rule against an ipset of
 * type {@code hash:net} ({@link #setName}), whose members {@link #sets()} lists:
 * {@code -A NETCOST-EGRESS -m set --match-set NETCOST-4-SAME dst -g NETCOST-E-SAME}. A class
 * containing {@code /0} keeps per-CIDR rules ({@code hash:net} cannot hold a zero prefix).
 */
final class AccountingRules {
    static final String JUMP_COMMENT = "netcost";

    /** No set threshold: one rule per CIDR whatever the list sizes. */
    static final int NO_SETS = Integer.MAX_VALUE;

    private final ChainNames names;
    private final List<String> mainRules;
    private final Map<Direction, List<String>> classifyRules;
    private final Map<String, ClassChain> classChains;
    private final Map<String, String> owners;
    private final List<String> skipped;
    private final Map<String, List<String>> sets;
    private final int countingRules;

    /**
     * One counting rule.
     *
     * @param spec    the rule as iptables-save prints it ({@code -A NETCOST-E-SAME -s 10.10.1.2/32 -j RETURN})
     * @param address the pod address as iptables-save prints it
     * @param podKey  {@code namespace/name} of the pod the rule counts
     */
    record CountingRule(String spec, String address, String podKey) {
    }

    /**
     * A chain of counting rules, one per pod: a class chain (one direction and class), or a load
     * balancer's chain ({@code loadBalancerKind} non-null, {@code trafficClass} the zone class of its
     * addresses, or {@link TrafficClass#LOAD_BALANCER} for connections; {@code direction} is where the
     * pod is matched: its source for egress, its destination otherwise). {@code tail}, when not null,
     * is a rule that must stay after every counting rule (a load balancer's goto to the
     * {@code load_balancer} class chain for the pods outside its targets).
     */
    record ClassChain(String name, Direction direction, TrafficClass trafficClass, List<CountingRule> rules,
                      LoadBalancerCounter loadBalancerKind, int loadBalancerId, String tail) {
        ClassChain(String name, Direction direction, TrafficClass trafficClass, List<CountingRule> rules) {
            this(name, direction, trafficClass, rules, null, 0, null);
        }

        List<String> specs() {
            List<String> out = new ArrayList<>(rules.size());
            for (CountingRule r : rules) {
                out.add(r.spec());
            }
            return out;
        }
    }

    /** A pod with its address of the family, as iptables-save prints it. */
    private record Pod(String address, String key, PodInfo info) {
    }

    private AccountingRules(ChainNames names, List<String> mainRules, Map<Direction, List<String>> classifyRules,
                            Map<String, ClassChain> classChains, Map<String, String> owners, List<String> skipped,
                            Map<String, List<String>> sets) {
        this.names = names;
        this.mainRules = List.copyOf(mainRules);
        this.classifyRules = Collections.unmodifiableMap(classifyRules);
        this.classChains = Collections.unmodifiableMap(classChains);
        this.owners = Collections.unmodifiableMap(owners);
        this.skipped = List.copyOf(skipped);
        this.sets = Collections.unmodifiableMap(sets);
        int n = 0;
        for (ClassChain c : classChains.values()) {
            n += c.rules().size();
        }
        this.countingRules = n;
    }

    /** The IPv4 rules (iptables), one rule per CIDR. */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets) {
        return build(names, pods, sets, false, NO_SETS);
    }

    /** One rule per CIDR. */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets, boolean ipv6) {
        return build(names, pods, sets, ipv6, NO_SETS);
    }

    /**
     * Rules for every local pod with an address of the family (the first IPv4 address for iptables,
     * the first IPv6 address for ip6tables), hostNetwork pods excepted (they share the node's
     * address), classified by the CIDRs of the same family. When two pods claim one address, the
     * first by namespace/name keeps it. A class with more than {@code setThreshold} CIDRs (any
     * non-empty class for 0) is classified through an ipset.
     */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets, boolean ipv6,
                                 int setThreshold) {
        return build(names, pods, sets, LoadBalancerIndex.EMPTY, ipv6, setThreshold);
    }

    /** As above, with chains and counting rules for the known load balancers' addresses of the family. */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets, LoadBalancerIndex lbs,
                                 boolean ipv6, int setThreshold) {
        List<PodInfo> sorted = new ArrayList<>(pods);
        sorted.sort((a, b) -> podKey(a).compareTo(podKey(b)));
        // address -> pod, ordered by address bytes
        TreeMap<byte[], Pod> byAddress = new TreeMap<>(java.util.Arrays::compareUnsigned);
        List<String> skipped = new ArrayList<>();
        for (PodInfo p : sorted) {
            if (p.hostNetwork()) {
                continue;
            }
            for (String ip : p.ips()) {
                byte[] a = ChainNames.parseAddress(ip, ipv6);
                if (a == null) {
                    continue;
                }
                String text = ChainNames.addressToString(a);
                String key = podKey(p);
                Pod previous = byAddress.putIfAbsent(a, new Pod(text, key, p));
                if (previous != null) {
                    skipped.add(key + " (" + text + " already belongs to " + previous.key() + ")");
                }
                break;
            }
        }
        boolean noPods = byAddress.isEmpty();
        Map<TrafficClass, List<Cidr>> cidrs = new LinkedHashMap<>();
        for (TrafficClass cls : List.of(TrafficClass.SAME_ZONE, TrafficClass.CROSS_ZONE, TrafficClass.IN_VPC)) {
            cidrs.put(cls, family(sets.cidrs(cls), ipv6));
        }
        Map<String, List<String>> wantedSets = new TreeMap<>();
        Map<TrafficClass, String> setNames = new LinkedHashMap<>();
        for (Map.Entry<TrafficClass, List<Cidr>> e : cidrs.entrySet()) {
            String set = set(names, ipv6, e.getKey(), e.getValue(), setThreshold, wantedSets, noPods);
            if (set != null) {
                setNames.put(e.getKey(), set);
            }
        }
        List<String> main = List.of("-A " + names.main() + " -j " + names.classify(Direction.EGRESS),
                "-A " + names.main() + " -j " + names.classify(Direction.INGRESS));
        Map<Direction, List<String>> classify = new LinkedHashMap<>();
        Map<String, ClassChain> chains = new LinkedHashMap<>();
        List<Pod> pods4 = List.copyOf(byAddress.values());
        Map<LoadBalancerIndex.Entry, List<Pod>> targets = targets(lbs, ipv6, pods4);
        for (Direction d : Direction.values()) {
            List<String> rules = new ArrayList<>();
            classify.put(d, rules);
            if (noPods) {
                continue;
            }
            String classifyChain = names.classify(d);
            loadBalancerRules(names, d, ipv6, pods4, targets, rules, chains);
            for (TrafficClass c : TrafficClass.values()) {
                if (c == TrafficClass.LOAD_BALANCER) {
                    continue; // its addresses went to the load balancers' chains above
                }
                String target = names.classChain(d, c);
                if (c == TrafficClass.INTERNET) {
                    rules.add("-A " + classifyChain + " -g " + target);
                } else if (setNames.containsKey(c)) {
                    rules.add("-A " + classifyChain + " -m set --match-set " + setNames.get(c)
                            + (d == Direction.EGRESS ? " dst" : " src") + " -g " + target);
                } else if (!cidrs.get(c).isEmpty()) {
                    for (Cidr cidr : cidrs.get(c)) {
                        String match = cidr.prefix() == 0 ? "" : (d == Direction.EGRESS ? " -d " : " -s ") + text(cidr);
                        rules.add("-A " + classifyChain + match + " -g " + target);
                    }
                } else {
                    continue;
                }
                chains.put(target, new ClassChain(target, d, c, counting(target, d, pods4, ipv6)));
            }
        }
        Map<String, String> owners = new LinkedHashMap<>();
        for (Pod pod : pods4) {
            owners.put(pod.address(), pod.key());
        }
        return new AccountingRules(names, main, classify, chains, owners, skipped, wantedSets);
    }

    /** One counting rule per pod in {@code chain}: the pod is the source for egress, the destination otherwise. */
    private static List<CountingRule> counting(String chain, Direction d, List<Pod> pods, boolean ipv6) {
        List<CountingRule> counting = new ArrayList<>(pods.size());
        String podMatch = d == Direction.EGRESS ? " -s " : " -d ";
        String hostBits = ipv6 ? "/128" : "/32";
        for (Pod pod : pods) {
            counting.add(new CountingRule("-A " + chain + podMatch + pod.address() + hostBits + " -j RETURN", pod.address(),
                    pod.key()));
        }
        return List.copyOf(counting);
    }

    /** Each load balancer with addresses of the family, with the pods it targets (all of them when unknown). */
    private static Map<LoadBalancerIndex.Entry, List<Pod>> targets(LoadBalancerIndex lbs, boolean ipv6, List<Pod> pods) {
        Map<LoadBalancerIndex.Entry, List<Pod>> out = new LinkedHashMap<>();
        for (LoadBalancerIndex.Entry lb : lbs.entries()) {
            if (lb.addresses(ipv6).isEmpty()) {
                continue;
            }
            LoadBalancer.Targets t = lb.loadBalancer().targets();
            if (!t.known()) {
                out.put(lb, pods);
                continue;
            }
            List<Pod> in = new ArrayList<>();
            for (Pod p : pods) {
                if (t.includes(p.info())) {
                    in.add(p);
                }
            }
            out.put(lb, List.copyOf(in));
        }
        return out;
    }

    /**
     * The classification rules sending the load balancers' addresses of the family to their chains
     * (ingress: new connections jumped to the connection chain first), those chains, and the
     * {@code load_balancer} class chain of every pod when some load balancer's targets leave out a pod.
     */
    private static void loadBalancerRules(ChainNames names, Direction d, boolean ipv6, List<Pod> pods,
                                          Map<LoadBalancerIndex.Entry, List<Pod>> targets, List<String> rules,
                                          Map<String, ClassChain> chains) {
        String classifyChain = names.classify(d);
        String hostBits = ipv6 ? "/128" : "/32";
        boolean egress = d == Direction.EGRESS;
        LoadBalancerCounter kind = egress ? LoadBalancerCounter.EGRESS : LoadBalancerCounter.INGRESS;
        String fallback = names.classChain(d, TrafficClass.LOAD_BALANCER);
        boolean anyPartial = false;
        List<String> gotos = new ArrayList<>();
        for (Map.Entry<LoadBalancerIndex.Entry, List<Pod>> t : targets.entrySet()) {
            LoadBalancerIndex.Entry lb = t.getKey();
            List<Pod> in = t.getValue();
            Map<TrafficClass, List<String>> byClass = lb.addresses(ipv6);
            boolean partial = in.size() < pods.size();
            anyPartial |= partial;
            if (!egress && !in.isEmpty()) {
                String conn = names.loadBalancerChain(LoadBalancerCounter.CONNECTIONS, null, lb.code());
                for (List<String> addresses : byClass.values()) {
                    for (String a : addresses) {
                        rules.add("-A " + classifyChain + " -s " + a + hostBits + " -m conntrack --ctstate NEW -j " + conn);
                    }
                }
                chains.put(conn, new ClassChain(conn, Direction.INGRESS, TrafficClass.LOAD_BALANCER,
                        counting(conn, Direction.INGRESS, in, ipv6), LoadBalancerCounter.CONNECTIONS, lb.id(), null));
            }
            for (Map.Entry<TrafficClass, List<String>> e : byClass.entrySet()) {
                String target = names.loadBalancerChain(kind, e.getKey(), lb.code());
                for (String a : e.getValue()) {
                    gotos.add("-A " + classifyChain + (egress ? " -d " : " -s ") + a + hostBits + " -g " + target);
                }
                chains.put(target, new ClassChain(target, d, e.getKey(), counting(target, d, in, ipv6), kind, lb.id(),
                        partial ? "-A " + target + " -g " + fallback : null));
            }
        }
        rules.addAll(gotos);
        if (anyPartial) {
            chains.put(fallback, new ClassChain(fallback, d, TrafficClass.LOAD_BALANCER, counting(fallback, d, pods, ipv6)));
        }
    }

    static String podKey(PodInfo p) {
        return p.namespace() + "/" + p.name();
    }

    /**
     * The ipset of one class and family ({@code PREFIX-4-SAME}, {@code PREFIX-6-CROSS}, {@code PREFIX-4-VPC}),
     * at most 25 characters with the longest prefix: room for a suffix within ipset's 31.
     */
    static String setName(ChainNames names, boolean ipv6, TrafficClass cls) {
        if (cls == TrafficClass.INTERNET) {
            throw new IllegalArgumentException("the internet class is the catch-all: no set");
        }
        return names.main() + (ipv6 ? "-6-" : "-4-") + ChainNames.code(cls);
    }

    /** The set name when the class is matched by a set (its members recorded), or null for per-CIDR rules. */
    private static String set(ChainNames names, boolean ipv6, TrafficClass cls, List<Cidr> cidrs, int threshold,
                              Map<String, List<String>> out, boolean noPods) {
        if (noPods || cidrs.isEmpty() || cidrs.size() <= threshold && threshold > 0) {
            return null;
        }
        List<String> members = new ArrayList<>(cidrs.size());
        for (Cidr c : cidrs) {
            if (c.prefix() == 0) {
                return null;
            }
            String t = text(c);
            // ipset save prints a host entry without its /32 or /128.
            members.add(c.prefix() == (c.isIpv4() ? 32 : 128) ? t.substring(0, t.indexOf('/')) : t);
        }
        String name = setName(names, ipv6, cls);
        out.put(name, List.copyOf(members));
        return name;
    }

    /** A CIDR as the save programs print it. */
    static String text(Cidr c) {
        return c.isIpv4() ? c.toString() : ChainNames.ipv6ToString(c.address()) + "/" + c.prefix();
    }

    private static List<Cidr> family(List<Cidr> cidrs, boolean ipv6) {
        List<Cidr> out = new ArrayList<>();
        for (Cidr c : cidrs) {
            if (c.isIpv4() != ipv6 && !out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The main chain's two jumps, as {@code -A MAIN ...} lines. */
    List<String> mainRules() {
        return mainRules;
    }

    /** The classification rules of {@code PREFIX-EGRESS} / {@code PREFIX-INGRESS}. */
    List<String> classifyRules(Direction d) {
        return classifyRules.get(d);
    }

    /** The class chains in use, by name. */
    Map<String, ClassChain> classChains() {
        return classChains;
    }

    /** The number of counting rules in all class chains. */
    int countingRules() {
        return countingRules;
    }

    /** Pod address (as iptables-save prints it) to {@code namespace/name} of the pod counted there. */
    Map<String, String> owners() {
        return owners;
    }

    /**
     * The ipsets the rules match against, by name, with their members as {@code ipset save} prints
     * them; empty when every class is matched per CIDR.
     */
    Map<String, List<String>> sets() {
        return sets;
    }

    /** Pods left out, with the reason, for a log line. */
    List<String> skipped() {
        return skipped;
    }

    /** The jump from mangle POSTROUTING, as an {@code -A POSTROUTING ...} line. */
    String jumpRule() {
        return jumpRule(names);
    }

    static String jumpRule(ChainNames names) {
        return "-A POSTROUTING -m comment --comment " + JUMP_COMMENT + " -j " + names.main();
    }
}
