package dev.netcost.iptables;

/**
 * What a read saw besides the counters, to notice an external change.
 *
 * @param hooks    how many times netcost's rules are hooked into the packet path: iptables, the jumps
 *                 from mangle POSTROUTING to the main chain; nft, the base chains of netcost's table
 *                 (1 when all is well; 0 when someone removed it; 2 would count twice)
 * @param counters the counting rules / counter objects seen (compared with the number planned)
 */
record ReadStatus(int hooks, int counters) {
}
