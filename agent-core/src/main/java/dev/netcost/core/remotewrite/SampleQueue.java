package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Sample;
import java.util.concurrent.TimeUnit;

/**
 * The samples waiting for one shard of one endpoint: {@link MemorySampleQueue}, or
 * {@link DiskSampleQueue} so that an outage outlives a restart.
 *
 * <p>One thread offers (the pipeline, one cycle at a time, ending each with {@link #seal()}), one
 * thread polls (the shard's sender). A polled sample stays the queue's until {@link #release}d: a
 * durable queue sends it again after a restart unless the endpoint acknowledged it.
 */
public interface SampleQueue extends AutoCloseable {
    /** Adds a sample; false when the queue is full (the caller counts the drop). */
    boolean offer(Sample sample);

    /** Ends one write: what was offered becomes visible to {@link #poll} and, when durable, is on disk. */
    default void seal() {
    }

    /** The oldest sample, or null when empty. */
    Sample poll();

    /** The oldest sample, waiting up to {@code timeout}; null when none arrived. */
    Sample poll(long timeout, TimeUnit unit) throws InterruptedException;

    /** The oldest {@code n} polled samples were delivered or given up on: the queue may forget them. */
    default void release(int n) {
    }

    /** The oldest {@code n} unreleased samples are being sent (a durable queue records it). */
    default void sending(int n) {
    }

    /**
     * Samples at the head that may already have reached the endpoint: a durable queue's last request
     * before a crash, sent and unanswered. 0 in memory.
     */
    default int inDoubt() {
        return 0;
    }

    /** Samples offered and not yet polled. */
    int size();

    int capacity();

    /** Closes the queue and says what becomes of the samples it still holds, polled-unreleased included. */
    Closed shutdown();

    @Override
    default void close() {
        shutdown();
    }

    /**
     * @param lost samples gone with the process (in memory)
     * @param kept samples kept on disk for the next start
     */
    record Closed(long lost, long kept) {
    }
}
