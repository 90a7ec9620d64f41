package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Sample;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A bounded FIFO in memory; array-backed, so offering allocates nothing. */
public final class MemorySampleQueue implements SampleQueue {
    private final ArrayBlockingQueue<Sample> queue;
    private final int capacity;
    private final AtomicLong unreleased = new AtomicLong();

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
        return counted(queue.poll());
    }

    @Override
    public Sample poll(long timeout, TimeUnit unit) throws InterruptedException {
        return counted(queue.poll(timeout, unit));
    }

    private Sample counted(Sample s) {
        if (s != null) {
            unreleased.incrementAndGet();
        }
        return s;
    }

    @Override
    public void release(int n) {
        unreleased.addAndGet(-n);
    }

    /** Polled and not yet released. */
    long unreleased() {
        return unreleased.get();
    }

    @Override
    public int size() {
        return queue.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Closed shutdown() {
        long lost = Math.max(0, unreleased.getAndSet(0));
        while (queue.poll() != null) {
            lost++;
        }
        return new Closed(lost, 0);
    }
}
