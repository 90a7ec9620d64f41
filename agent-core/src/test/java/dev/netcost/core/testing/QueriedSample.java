package dev.netcost.core.testing;

import java.time.Instant;

/**
 * One point returned by the Prometheus HTTP API. Equality compares values as {@link Double#compare}
 * does, so {@code NaN} equals {@code NaN} (any stale-marker bit pattern is lost in JSON anyway).
 */
public record QueriedSample(long timestampMillis, double value) {

    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    @Override
    public String toString() {
        return timestampMillis + "=" + value;
    }
}
