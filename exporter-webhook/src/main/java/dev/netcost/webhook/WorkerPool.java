package dev.netcost.webhook;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads that decode and record reviews ({@code webhook.workerThreads}), off the network threads.
 * Waiting work runs smallest body first, in arrival order among equals: an ordinary review never waits
 * behind large ones, whose cost grows with their size. At most {@code capacity} tasks wait; the body
 * budget ({@link ClientLimits}) bounds the bytes they hold.
 */
final class WorkerPool implements AutoCloseable {
    private final ThreadPoolExecutor executor;
    private final int capacity;
    private final AtomicLong arrivals = new AtomicLong();

    WorkerPool(int threads, int capacity) {
        this.capacity = capacity;
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new PriorityBlockingQueue<>(),
                new DefaultThreadFactory("netcost-webhook-worker", true));
    }

    /** Runs {@code task} for a body of {@code size} bytes; false when too many wait (or the pool is closed). */
    boolean submit(long size, Runnable task) {
        if (executor.isShutdown() || executor.getQueue().size() >= capacity) {
            return false;
        }
        executor.execute(new Job(size, arrivals.getAndIncrement(), task));
        return true;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    private record Job(long size, long arrival, Runnable task) implements Runnable, Comparable<Job> {
        @Override
        public void run() {
            task.run();
        }

        @Override
        public int compareTo(Job o) {
            int bySize = Long.compare(size, o.size);
            return bySize != 0 ? bySize : Long.compare(arrival, o.arrival);
        }
    }
}
