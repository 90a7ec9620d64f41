package dev.netcost.core.spi;

import dev.netcost.core.model.Labels;

/** Where an exporter puts the samples of one cycle. */
@FunctionalInterface
public interface SampleConsumer {
    /**
     * Accepts one sample.
     *
     * @param timestampMs the source's own timestamp, or {@link #NO_TIMESTAMP} to use the cycle's
     */
    void accept(Labels labels, double value, long timestampMs);

    /** Accepts one sample stamped with the cycle's time. */
    default void accept(Labels labels, double value) {
        accept(labels, value, NO_TIMESTAMP);
    }

    long NO_TIMESTAMP = Long.MIN_VALUE;
}
