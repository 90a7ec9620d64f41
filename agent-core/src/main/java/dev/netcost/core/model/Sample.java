package dev.netcost.core.model;

import java.util.Objects;

/**
 * One value of one series at one instant.
 *
 * @param labels      the series, metric name included
 * @param value       the value; {@link #STALE_NAN} marks the end of a series
 * @param timestampMs milliseconds since the Unix epoch
 */
public record Sample(Labels labels, double value, long timestampMs) {
    /** Prometheus' staleness marker: a NaN with this exact bit pattern ends a series. */
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

    public Sample {
        Objects.requireNonNull(labels, "labels");
    }

    public static Sample staleMarker(Labels labels, long timestampMs) {
        return new Sample(labels, STALE_NAN, timestampMs);
    }

    public boolean isStaleMarker() {
        return Double.doubleToRawLongBits(value) == STALE_NAN_BITS;
    }
}
