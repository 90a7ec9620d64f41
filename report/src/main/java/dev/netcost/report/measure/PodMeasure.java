package dev.netcost.report.measure;

/** The per-pod byte counts a cost is split by (the cost model's semantics). */
public enum PodMeasure {
    /**
     * Bytes of class {@code cross_zone}, both directions (each side's instance is billed), plus the
     * {@code cross_zone} bytes the pod exchanged with a network load balancer.
     */
    CROSS_ZONE,
    /** Egress bytes of class {@code internet}. */
    INTERNET_EGRESS,
    /** Bytes of class {@code internet}, both directions: what a NAT gateway processes. */
    INTERNET
}
