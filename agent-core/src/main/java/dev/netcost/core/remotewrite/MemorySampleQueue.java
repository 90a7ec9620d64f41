package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Sample;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bounded FIFO in memory; array-backed, so offering allocates nothing. */
public final class MemorySampleQueue implements SampleQueue {
    private final ArrayBlockingQueue<Sample> queue;
    private final int capacity;

    public MemorySampleQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public boolean offer(Sample sample) {
        return queue.offer(sample);
    }

    @Override
    public Sample poll() {
        return queue.poll();
    }

    @Override
    public Sample poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }
}
