package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;

/** Sinks for reads whose counters nobody needs (a first read that only proves the reader works). */
final class CounterSinks {
    /** Ignores every counter. */
    static final CounterSink NONE = new CounterSink() {
        @Override
        public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes) {
        }

        @Override
        public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes) {
        }

        @Override
        public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, int address,
                                  long packets, long bytes) {
        }

        @Override
        public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long high, long low,
                                  long packets, long bytes) {
        }
    };

    private CounterSinks() {
    }
}
