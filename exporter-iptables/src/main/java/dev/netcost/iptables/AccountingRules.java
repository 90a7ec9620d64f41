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
 */
final class AccountingRules {
    static final String JUMP_COMMENT = "netcost";

    private final ChainNames names;
    private final List<String> mainRules;
    private final Map<String, PodChain> podChains;
    private final List<String> skipped;

    /** One counting rule and the class it counts. */
    record PodRule(String spec, TrafficClass trafficClass) {
    }

    /** The chain of one pod in one direction. */
    record PodChain(String name, Direction direction, int ipv4, String podKey, List<PodRule> rules) {
        List<String> specs() {
            List<String> out = new ArrayList<>(rules.size());
            for (PodRule r : rules) {
                out.add(r.spec());
            }
            return out;
        }
    }

    private AccountingRules(ChainNames names, List<String> mainRules, Map<String, PodChain> podChains, List<String> skipped) {
        this.names = names;
        this.mainRules = List.copyOf(mainRules);
        this.podChains = Collections.unmodifiableMap(podChains);
        this.skipped = List.copyOf(skipped);
    }

    /**
     * Rules for every local pod with an IPv4 address, hostNetwork pods excepted (they share the node's
     * address). When two pods claim one address, the first by namespace/name keeps it.
     */
    static AccountingRules build(ChainNames names, List<PodInfo> pods, ClassificationSets sets) {
        TreeMap<Integer, String> byIp = new TreeMap<>(Integer::compareUnsigned);
        List<String> skipped = new ArrayList<>();
        List<PodInfo> sorted = new ArrayList<>(pods);
        sorted.sort((a, b) -> RuleComment.podKey(a.namespace(), a.name()).compareTo(RuleComment.podKey(b.namespace(), b.name())));
        for (PodInfo p : sorted) {
            if (p.hostNetwork()) {
                continue;
            }
            for (String ip : p.ips()) {
                Integer v4 = ChainNames.parseIpv4(ip);
                if (v4 == null) {
                    continue;
                }
                String key = RuleComment.podKey(p.namespace(), p.name());
                String previous = byIp.putIfAbsent(v4, key);
                if (previous != null && !previous.equals(key)) {
                    skipped.add(key + " (" + ip + " already belongs to " + previous + ")");
                }
                break;
            }
        }
        List<Cidr> same = v4(sets.sameZone());
        List<Cidr> cross = v4(sets.crossZone());
        List<Cidr> vpc = v4(sets.inVpc());
        List<String> main = new ArrayList<>(byIp.size() * 2);
        Map<String, PodChain> chains = new LinkedHashMap<>();
        for (Direction d : Direction.values()) {
            for (Map.Entry<Integer, String> e : byIp.entrySet()) {
                int ip = e.getKey();
                String chain = names.podChain(d, ip);
                String addr = ChainNames.ipv4ToString(ip) + "/32";
                main.add("-A " + names.main() + (d == Direction.EGRESS ? " -s " : " -d ") + addr + " -j " + chain);
                List<PodRule> rules = new ArrayList<>(same.size() + cross.size() + vpc.size() + 1);
                addRules(rules, chain, d, same, TrafficClass.SAME_ZONE, e.getValue());
                addRules(rules, chain, d, cross, TrafficClass.CROSS_ZONE, e.getValue());
                addRules(rules, chain, d, vpc, TrafficClass.IN_VPC, e.getValue());
                rules.add(new PodRule(rule(chain, null, TrafficClass.INTERNET, e.getValue()), TrafficClass.INTERNET));
                chains.put(chain, new PodChain(chain, d, ip, e.getValue(), List.copyOf(rules)));
            }
        }
        return new AccountingRules(names, main, chains, skipped);
    }

    private static void addRules(List<PodRule> out, String chain, Direction d, List<Cidr> cidrs, TrafficClass cls, String podKey) {
        for (Cidr c : cidrs) {
            String match = c.prefix() == 0 ? null : (d == Direction.EGRESS ? "-d " : "-s ") + c;
            out.add(new PodRule(rule(chain, match, cls, podKey), cls));
        }
    }

    private static String rule(String chain, String match, TrafficClass cls, String podKey) {
        StringBuilder sb = new StringBuilder(96).append("-A ").append(chain);
        if (match != null) {
            sb.append(' ').append(match);
        }
        return sb.append(" -m comment --comment \"").append(RuleComment.format(cls, podKey)).append("\" -j RETURN").toString();
    }

    private static List<Cidr> v4(List<Cidr> cidrs) {
        List<Cidr> out = new ArrayList<>();
        for (Cidr c : cidrs) {
            if (c.isIpv4() && !out.contains(c)) {
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
