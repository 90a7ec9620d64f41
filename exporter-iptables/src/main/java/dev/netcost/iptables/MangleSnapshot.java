package dev.netcost.iptables;

import java.util.List;
import java.util.Map;

/**
 * netcost's part of the mangle table as {@code iptables-save -c} printed it.
 *
 * @param owned          netcost's chains (main, classification and class chains, and per-pod chains of earlier versions) with
 *                       their rules, in order
 * @param jumps          POSTROUTING rules that jump to the main chain, as {@code -A POSTROUTING ...} lines
 * @param foreignRules   rules in every table that are not netcost's (for backend detection)
 * @param kubernetesHint whether kube-proxy's/kubelet's marker chains are present in mangle
 */
record MangleSnapshot(Map<String, List<SavedRule>> owned, List<String> jumps, int foreignRules, boolean kubernetesHint) {
    /** A rule line without its counters, e.g. {@code -A NETCOST-E-SAME -s 10.10.1.2/32 -j RETURN}. */
    record SavedRule(String spec, long packets, long bytes) {
    }
}
