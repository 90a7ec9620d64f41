package dev.netcost.iptables;

import java.util.List;
import java.util.Map;

/**
 * netcost's part of the mangle table as {@code iptables-save -c} printed it.
 *
 * @param owned          netcost's chains (main and pod chains) with their rules, in order
 * @param jumps          POSTROUTING rules that jump to the main chain, as {@code -A POSTROUTING ...} lines
 * @param foreignRules   rules in every table that are not netcost's (for backend detection)
 * @param kubernetesHint whether kube-proxy's/kubelet's marker chains are present in mangle
 */
record MangleSnapshot(Map<String, List<SavedRule>> owned, List<String> jumps, int foreignRules, boolean kubernetesHint) {
    /** A rule line without its counters, e.g. {@code -A NETCOST -s 10.0.1.7/32 -j NETCOST-E-0A000107}. */
    record SavedRule(String spec, long packets, long bytes) {
    }
}
