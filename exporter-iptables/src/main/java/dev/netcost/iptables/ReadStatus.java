package dev.netcost.iptables;

/**
 * What a read saw besides the counters, to notice an external change.
 *
 * @param jumps     rules in mangle POSTROUTING that jump to the main chain (1 when all is well)
 * @param podChains pod chains present
 */
record ReadStatus(int jumps, int podChains) {
}
