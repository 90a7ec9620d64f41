package dev.netcost.iptables;

/** Receives the counters of netcost's pod-chain rules from a {@link CounterReader}. */
interface CounterSink {
    /**
     * One counting rule.
     *
     * @param chain   the pod chain, e.g. {@code NETCOST-E-0A000107}
     * @param comment the rule's comment ({@code "same_zone shop/web-0"}), null when it has none
     */
    void rule(String chain, String comment, long packets, long bytes);
}
