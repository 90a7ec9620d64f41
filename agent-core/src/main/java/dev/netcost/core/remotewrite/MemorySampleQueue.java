package dev.netcost.core.remotewrite;

import dev.netcost.core.model.Sample;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO in memory: a ring that holds what is queued, not what could be. It starts at
 * {@value #INITIAL_SLOTS} slots, doubles while full (up to the capacity) and halves once less than an
 * eighth is used, so an idle endpoint's queue costs a few KiB of heap instead of a slot per sample of
 * capacity (the default 500,000 samples would be 2 MB of references per endpoint, zeroed and resident
 * from the start). Offering allocates nothing unless the ring grows.
 */
public final class MemorySampleQueue implements SampleQueue {
    static final int INITIAL_SLOTS = 1024;

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final AtomicLong unreleased = new AtomicLong();
    private Sample[] ring;
    private int head;
    private int count;

    public MemorySampleQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new Sample[Math.min(capacity, INITIAL_SLOTS)];
    }

    @Override
    public boolean offer(Sample sample) {
        if (sample == null) {
            throw new NullPointerException("sample");
        }
        lock.lock();
        try {
            if (count == capacity) {
                return false;
            }
            if (count == ring.length) {
                resize((int) Math.min(capacity, 2L * ring.length));
            }
            ring[(head + count) % ring.length] = sample;
            count++;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Sample poll() {
        lock.lock();
        try {
            return counted(take());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Sample poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (count == 0) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return counted(take());
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: the head sample or null; shrinks the ring when it is mostly empty. */
    private Sample take() {
        if (count == 0) {
            return null;
        }
        Sample s = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
        if (ring.length > INITIAL_SLOTS && count < ring.length / 8) {
            resize(Math.max(INITIAL_SLOTS, ring.length / 2));
        }
        return s;
    }

    /** Under the lock: the same samples in order in a ring of {@code slots} (≥ count). */
    private void resize(int slots) {
        Sample[] next = new Sample[slots];
        for (int i = 0; i < count; i++) {
            next[i] = ring[(head + i) % ring.length];
        }
        ring = next;
        head = 0;
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

    /** Slots the ring has now (for tests: it follows use, not capacity). */
    int slots() {
        lock.lock();
        try {
            return ring.length;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public Closed shutdown() {
        long lost = Math.max(0, unreleased.getAndSet(0));
        lock.lock();
        try {
            lost += count;
            ring = new Sample[Math.min(capacity, INITIAL_SLOTS)];
            head = 0;
            count = 0;
        } finally {
            lock.unlock();
        }
        return new Closed(lost, 0);
    }
}
