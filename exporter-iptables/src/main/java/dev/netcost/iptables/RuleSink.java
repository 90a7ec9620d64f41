package dev.netcost.iptables;

// TODO(integrator): the old per-rule sink, kept only so the iptables readers compile on branch wt-nft
// until the other helper's version (on the new CounterSink) replaces them. Delete this file then.
/** Receives the counters of netcost's pod-chain rules from a {@link RuleReader}. */
interface RuleSink {
    /**
     * One counting rule.
     *
     * @param chain   the pod chain, e.g. {@code NETCOST-E-0A000107}
     * @param comment the rule's comment ({@code "same_zone shop/web-0"}), null when it has none
     */
    void rule(String chain, String comment, long packets, long bytes);
}
