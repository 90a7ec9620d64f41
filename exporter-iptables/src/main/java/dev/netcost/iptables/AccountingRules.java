package dev.netcost.iptables;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules netcost wants in the mangle table for one set of pods and classification sets, each
 * written exactly as {@code iptables-save} prints it, so that comparing with the kernel's state is a
 * string comparison.
 *
 * <pre>
 * -A POSTROUTING -m comment --comment netcost -j NETCOST           (the one jump)
 * -A NETCOST -s 10.0.1.7/32 -j NETCOST-E-0A000107                  (dispatch, per pod and direction)
 * -A NETCOST -d 10.0.1.7/32 -j NETCOST-I-0A000107
 * -A NETCOST-E-0A000107 -d 10.0.0.0/24 -m comment --comment "same_zone shop/web-0" -j RETURN
 * -A NETCOST-E-0A000107 -m comment --comment "internet shop/web-0" -j RETURN
 * </pre>
 *
 * A pod chain classifies first-match: same-zone CIDRs, then cross-zone, then VPC, then the catch-all
 * internet rule, the precedence of {@link ClassificationSets}. An empty class costs no rule.
 *
 * <p>A class with more CIDRs than the set threshold is matched by one rule against an ipset of type
 * {@code hash:net} ({@link #setName}), whose members {@link #sets()} lists; the comment, and so the
 * way readers map the rule to its pod, direction and class, stays the same:
 * <pre>
 * -A NETCOST-E-0A000107 -m set --match-set NETCOST-4-SAME dst -m comment --comment "same_zone shop/web-0" -j RETURN
 * </pre>
 * A class containing {@code /0} keeps per-CIDR rules ({@code hash:net} cannot hold a zero prefix).
 */
final class AccountingRules {
    static final String JUMP_COMMENT = "netcost";

    private final ChainNames names;
    private final List<String> mainRules;
    private final Map<String, PodChain> podChains;
    private final List<String> skipped;
    private final Map<String, List<String>> sets;

    /** One counting rule and the class it counts. */
    record PodRule(String spec, TrafficClass trafficClass) {
    }

    /** The chain of one pod in one direction. */
    record PodChain(String name, Direction direction, String ip, String podKey, List<PodRule> rules) {
        List<String> specs() {
            List<String> out = new ArrayList<>(rules.size());
            for (PodRule r : rules) {
                out.add(r.spec());
            }
            return out;
        }
    }

    private AccountingRules(ChainNames names, List<String> mainRules, Map<String, PodChain> podChains, List<String> skipped,
                            Map<String, List<String>> sets) {
        this.names = names;
        this.sets = Collections.unmodifiableMap(sets);
        this.mainRules = List.copyOf(mainRules);
        this.podChains = Collections.unmodifiableMap(podChains);
        this.skipped = List.copyOf(skipped);
    }

    /** No set threshold: one rule per CIDR whatever the list sizes. */
    static final int NO_SETS = Integer.MAX_VALUE;

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
     * address), classified by the CIDRs of the same family. When two pods claim one address (or, for
     * IPv6, one chain name), the first by namespace/name keeps it. A class with more than
     * {@code setThreshold} CIDRs (any non-empty class for 0) is matched through an ipset.
     */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets, boolean ipv6,
                                 int setThreshold) {
        TreeMap<String, Pod> byChain = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        List<PodInfo> sorted = new ArrayList<>(pods);
        sorted.sort((a, b) -> RuleComment.podKey(a.namespace(), a.name()).compareTo(RuleComment.podKey(b.namespace(), b.name())));
        for (PodInfo p : sorted) {
            if (p.hostNetwork()) {
                continue;
            }
            for (String ip : p.ips()) {
                Pod pod = ipv6 ? v6Pod(names, ip) : v4Pod(names, ip);
                if (pod == null) {
                    continue;
                }
                String key = RuleComment.podKey(p.namespace(), p.name());
                Pod previous = byChain.putIfAbsent(pod.egressChain, pod.withKey(key));
                if (previous != null && !previous.key.equals(key)) {
                    skipped.add(key + " (" + ip + (previous.ip.equals(pod.ip) ? " already belongs to " : " has the same chain"
                            + " name as " + previous.ip + " of ") + previous.key + ")");
                }
                break;
            }
        }
        List<Cidr> same = family(sets.sameZone(), ipv6);
        List<Cidr> cross = family(sets.crossZone(), ipv6);
        List<Cidr> vpc = family(sets.inVpc(), ipv6);
        Map<String, List<String>> wantedSets = new TreeMap<>();
        String sameSet = set(names, ipv6, TrafficClass.SAME_ZONE, same, setThreshold, wantedSets, byChain.isEmpty());
        String crossSet = set(names, ipv6, TrafficClass.CROSS_ZONE, cross, setThreshold, wantedSets, byChain.isEmpty());
        String vpcSet = set(names, ipv6, TrafficClass.IN_VPC, vpc, setThreshold, wantedSets, byChain.isEmpty());
        List<Pod> ordered = new ArrayList<>(byChain.values());
        if (!ipv6) {
            ordered.sort((a, b) -> Integer.compareUnsigned(ChainNames.parseIpv4(a.ip), ChainNames.parseIpv4(b.ip)));
        }
        List<String> main = new ArrayList<>(ordered.size() * 2);
        Map<String, PodChain> chains = new LinkedHashMap<>();
        String hostBits = ipv6 ? "/128" : "/32";
        for (Direction d : Direction.values()) {
            for (Pod pod : ordered) {
                String chain = d == Direction.EGRESS ? pod.egressChain : pod.ingressChain;
                main.add("-A " + names.main() + (d == Direction.EGRESS ? " -s " : " -d ") + pod.ip + hostBits + " -j " + chain);
                List<PodRule> rules = new ArrayList<>(same.size() + cross.size() + vpc.size() + 1);
                addRules(rules, chain, d, same, sameSet, TrafficClass.SAME_ZONE, pod.key);
                addRules(rules, chain, d, cross, crossSet, TrafficClass.CROSS_ZONE, pod.key);
                addRules(rules, chain, d, vpc, vpcSet, TrafficClass.IN_VPC, pod.key);
                rules.add(new PodRule(rule(chain, null, TrafficClass.INTERNET, pod.key), TrafficClass.INTERNET));
                chains.put(chain, new PodChain(chain, d, pod.ip, pod.key, List.copyOf(rules)));
            }
        }
        return new AccountingRules(names, main, chains, skipped, wantedSets);
    }

    /**
     * The ipset of one class and family ({@code PREFIX-4-SAME}, {@code PREFIX-6-CROSS}, {@code PREFIX-4-VPC}),
     * at most 25 characters with the longest prefix: room for a suffix within ipset's 31.
     */
    static String setName(ChainNames names, boolean ipv6, TrafficClass cls) {
        String suffix = switch (cls) {
            case SAME_ZONE -> "SAME";
            case CROSS_ZONE -> "CROSS";
            case IN_VPC -> "VPC";
            case INTERNET -> throw new IllegalArgumentException("the internet class is the catch-all: no set");
        };
        return names.main() + (ipv6 ? "-6-" : "-4-") + suffix;
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
            // ipset save prints a host entry without its /32 or /128.
            members.add(c.prefix() == (c.isIpv4() ? 32 : 128) ? text(c).substring(0, text(c).indexOf('/')) : text(c));
        }
        String name = setName(names, ipv6, cls);
        out.put(name, List.copyOf(members));
        return name;
    }

    /** A pod address in the form the save program prints, with its two chains. */
    private record Pod(String ip, String egressChain, String ingressChain, String key) {
        Pod withKey(String k) {
            return new Pod(ip, egressChain, ingressChain, k);
        }
    }

    private static Pod v4Pod(ChainNames names, String ip) {
        Integer v4 = ChainNames.parseIpv4(ip);
        if (v4 == null) {
            return null;
        }
        return new Pod(ChainNames.ipv4ToString(v4), names.podChain(Direction.EGRESS, v4), names.podChain(Direction.INGRESS, v4), "");
    }

    private static Pod v6Pod(ChainNames names, String ip) {
        byte[] v6 = ChainNames.parseIpv6(ip);
        if (v6 == null) {
            return null;
        }
        return new Pod(ChainNames.ipv6ToString(v6), names.podChain6(Direction.EGRESS, v6), names.podChain6(Direction.INGRESS, v6), "");
    }

    private static void addRules(List<PodRule> out, String chain, Direction d, List<Cidr> cidrs, String set, TrafficClass cls,
                                 String podKey) {
        if (set != null) {
            String match = "-m set --match-set " + set + (d == Direction.EGRESS ? " dst" : " src");
            out.add(new PodRule(rule(chain, match, cls, podKey), cls));
            return;
        }
        for (Cidr c : cidrs) {
            String match = c.prefix() == 0 ? null : (d == Direction.EGRESS ? "-d " : "-s ") + text(c);
            out.add(new PodRule(rule(chain, match, cls, podKey), cls));
        }
    }

    /** A CIDR as the save programs print it. */
    static String text(Cidr c) {
        return c.isIpv4() ? c.toString() : ChainNames.ipv6ToString(c.address()) + "/" + c.prefix();
    }

    private static String rule(String chain, String match, TrafficClass cls, String podKey) {
        StringBuilder sb = new StringBuilder(96).append("-A ").append(chain);
        if (match != null) {
            sb.append(' ').append(match);
        }
        return sb.append(" -m comment --comment \"").append(RuleComment.format(cls, podKey)).append("\" -j RETURN").toString();
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

    ChainNames names() {
        return names;
    }

    /** The dispatch rules of the main chain, as {@code -A MAIN ...} lines. */
    List<String> mainRules() {
        return mainRules;
    }

    Map<String, PodChain> podChains() {
        return podChains;
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
