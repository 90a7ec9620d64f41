package dev.netcost.report.measure;

import java.util.HashMap;
import java.util.Map;

/**
 * One load balancer's measured traffic, per pod (index into {@link Measurements#pods()}) and hour:
 * bytes in both directions (every class), the cross-zone part of them, and new connections.
 */
public final class LoadBalancerTraffic {
    private final int hours;
    private final Map<Integer, double[]> bytes = new HashMap<>();
    private final Map<Integer, double[]> crossZoneBytes = new HashMap<>();
    private final Map<Integer, double[]> connections = new HashMap<>();

    LoadBalancerTraffic(int hours) {
        this.hours = hours;
    }

    void addBytes(int pod, int hour, double value, boolean crossZone) {
        bytes.computeIfAbsent(pod, p -> new double[hours])[hour] += value;
        if (crossZone) {
            crossZoneBytes.computeIfAbsent(pod, p -> new double[hours])[hour] += value;
        }
    }

    void addConnections(int pod, int hour, double value) {
        connections.computeIfAbsent(pod, p -> new double[hours])[hour] += value;
    }

    /** The same traffic with pod {@code i} renamed {@code newIndex[i]}. */
    LoadBalancerTraffic reindexed(int[] newIndex) {
        LoadBalancerTraffic t = new LoadBalancerTraffic(hours);
        bytes.forEach((p, v) -> t.bytes.put(newIndex[p], v));
        crossZoneBytes.forEach((p, v) -> t.crossZoneBytes.put(newIndex[p], v));
        connections.forEach((p, v) -> t.connections.put(newIndex[p], v));
        return t;
    }

    /** Pod index → hourly bytes, both directions. */
    public Map<Integer, double[]> bytes() {
        return bytes;
    }

    /** Pod index → hourly bytes of class cross_zone (the ENI in another zone than the pod). */
    public Map<Integer, double[]> crossZoneBytes() {
        return crossZoneBytes;
    }

    /** Pod index → hourly new connections. */
    public Map<Integer, double[]> connections() {
        return connections;
    }
}
