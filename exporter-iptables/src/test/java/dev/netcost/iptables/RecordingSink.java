package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A sink the tests read back: one line per counter, {@code "egress cross_zone 10.10.1.2 20 2000"}. */
final class RecordingSink implements CounterSink {
    final List<String> lines = new ArrayList<>();

    @Override
    public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes) {
        lines.add(line(direction, trafficClass, ChainNames.ipv4ToString(address), packets, bytes));
    }

    @Override
    public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes) {
        lines.add(line(direction, trafficClass, ChainNames.ipv6ToString(ipv6Bytes(high, low)), packets, bytes));
    }

    @Override
    public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, int address, long packets,
                              long bytes) {
        lines.add(lbLine(kind, zoneClass, loadBalancerId, ChainNames.ipv4ToString(address), packets, bytes));
    }

    @Override
    public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long high, long low,
                              long packets, long bytes) {
        lines.add(lbLine(kind, zoneClass, loadBalancerId, ChainNames.ipv6ToString(ipv6Bytes(high, low)), packets, bytes));
    }

    /** {@code "lb egress same_zone ABCDEF 10.10.1.2 20 2000"}, {@code "lb connections - ABCDEF 10.10.1.2 3 180"}. */
    static String lbLine(LoadBalancerCounter kind, TrafficClass zoneClass, int id, String address, long packets, long bytes) {
        return "lb " + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + (zoneClass == null ? "-" : zoneClass.label()) + " "
                + LoadBalancerIndex.code(id) + " " + address + " " + Long.toUnsignedString(packets) + " "
                + Long.toUnsignedString(bytes);
    }

    /** The 16 bytes of an IPv6 address a reader hands over as two big-endian halves. */
    static byte[] ipv6Bytes(long high, long low) {
        return ByteBuffer.allocate(16).putLong(high).putLong(low).array();
    }

    static String line(Direction d, TrafficClass c, String address, long packets, long bytes) {
        return d.label() + " " + c.label() + " " + address + " " + Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes);
    }
}
