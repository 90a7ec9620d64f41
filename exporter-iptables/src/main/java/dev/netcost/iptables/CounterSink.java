package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;

/**
 * Receives one read's counters from a {@link CounterReader}: one call per counting rule (iptables)
 * or counter object (nft), keyed by the pod address it counts, not by pod: {@link PodCounters}
 * finds the pod through the metadata.
 */
interface CounterSink {
    /** A counter of the IPv4 pod address {@code address} (big-endian, as an int). */
    void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes);

    /** A counter of the IPv6 pod address whose 16 bytes, big-endian, are {@code high} then {@code low}. */
    void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes);

    /**
     * A load-balancer counter of the IPv4 pod address {@code address}: what the pod exchanged with
     * the load balancer of id {@code loadBalancerId} ({@link LoadBalancerIndex}) through its addresses
     * of class {@code zoneClass}, or for {@link LoadBalancerCounter#CONNECTIONS} (whose
     * {@code zoneClass} is null) the connections it opened, one packet each.
     */
    void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, int address, long packets,
                       long bytes);

    /** As {@link #loadBalancer4}, for an IPv6 pod address ({@code high}, {@code low} as in {@link #ipv6}). */
    void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long high, long low, long packets,
                       long bytes);
}
