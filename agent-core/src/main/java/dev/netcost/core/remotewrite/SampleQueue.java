package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Sample;
import java.util.concurrent.TimeUnit;

/**
 * The samples waiting for one shard of one endpoint. In memory today; an on-disk implementation
 * will sit behind the same interface so an outage outlives a restart.
 */
public interface SampleQueue extends AutoCloseable {
    /** Adds a sample; false when the queue is full (the caller counts the drop). */
    boolean offer(Sample sample);

    /** The oldest sample, or null when empty. */
    Sample poll();

    /** The oldest sample, waiting up to {@code timeout}; null when none arrived. */
    Sample poll(long timeout, TimeUnit unit) throws InterruptedException;

    int size();

    int capacity();

    @Override
    default void close() {
    }
}
