package dev.netcost.core.remotewrite;

import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.model.Sample;
import dev.netcost.core.pipeline.Sink;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams samples to one Prometheus remote-write 1.0 endpoint.
 *
 * <p>Samples are spread over {@code queue.shards} shards by series, each with its own queue and
 * sender thread, so several requests are in flight at once while every series stays in timestamp
 * order: a shard retries its current batch until it is delivered or given up on before it sends the
 * next one. Each endpoint has its own sink, so a dead endpoint never holds back a live one.
 */
public final class RemoteWriteSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteSink.class);

    private final RemoteWriteConfig config;
    private final RemoteWriteClient client;
    private final RemoteWriteMetrics metrics;
    private final ThrottledLogger throttled;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Shard[] shards;
    private final AtomicInteger writesInProgress = new AtomicInteger();
    private final Object settleLock = new Object();
    private long accepted;
    private long delivered;
    private long dropped;
    private long lostAtOffer;
    private volatile boolean closing;

    private RemoteWriteSink(Builder b) throws IOException, GeneralSecurityException {
        this.config = b.config;
        SigV4RequestSigner signer = b.signer;
        if (signer == null && config.sigv4() != null) {
            signer = SigV4RequestSigner.builder().config(config.sigv4()).clock(b.clock).build();
        }
        try {
            this.client = new RemoteWriteClient(config, b.clock, signer);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (signer != null) {
                signer.close();
            }
            throw e;
        }
        this.throttled = new ThrottledLogger(LOG, b.clock, Duration.ofSeconds(30));
        this.backoff = new Backoff(config.queue().minBackoff(), config.queue().maxBackoff(), b.random);
        this.sleeper = b.sleeper;
        RemoteWriteConfig.QueueConfig q = config.queue();
        int perShard = Math.max(1, q.capacity() / q.shards());
        this.shards = new Shard[q.shards()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, b.queueFactory.apply(perShard));
        }
        this.metrics = new RemoteWriteMetrics(b.meters, config.name(), this::queueLength);
        for (Shard s : shards) {
            s.thread.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "remote_write/" + config.name();
    }

    private int queueLength() {
        int n = 0;
        for (Shard s : shards) {
            n += s.queue.size();
        }
        return n;
    }

    @Override
    public void write(List<Sample> samples) {
        if (closing) {
            countLostAtOffer(samples.size(), RemoteWriteMetrics.REASON_SHUTDOWN);
            return;
        }
        writesInProgress.incrementAndGet();
        int ok = 0;
        int full = 0;
        try {
            for (Sample s : samples) {
                Shard shard = shards[Math.floorMod(s.labels().hashCode(), shards.length)];
                if (shard.queue.offer(s)) {
                    ok++;
                } else {
                    full++;
                }
            }
        } finally {
            synchronized (settleLock) {
                accepted += ok;
            }
            writesInProgress.decrementAndGet();
        }
        if (full > 0) {
            countLostAtOffer(full, RemoteWriteMetrics.REASON_QUEUE_FULL);
            throttled.warn("queue_full", "remote-write {}: queue full, dropped {} samples; the endpoint is slower"
                    + " than the agent produces (possible fixes: check the endpoint, raise queue.capacity or"
                    + " queue.shards)", config.name(), full);
        }
    }

    private void countLostAtOffer(int n, String reason) {
        metrics.dropped(reason, n);
        synchronized (settleLock) {
            lostAtOffer += n;
            settleLock.notifyAll();
        }
    }

    private void settle(int deliveredNow, int droppedNow) {
        synchronized (settleLock) {
            delivered += deliveredNow;
            dropped += droppedNow;
            settleLock.notifyAll();
        }
    }

    @Override
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (settleLock) {
            while (delivered + dropped < accepted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(settleLock, left);
            }
            return dropped == 0 && lostAtOffer == 0;
        }
    }

    /** Samples accepted and not yet delivered or given up on. */
    public long pending() {
        synchronized (settleLock) {
            return accepted - delivered - dropped;
        }
    }

    @Override
    public void close() {
        closing = true;
        for (Shard s : shards) {
            s.thread.interrupt();
        }
        for (Shard s : shards) {
            try {
                s.thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = 0;
        for (Shard s : shards) {
            while (s.queue.poll() != null) {
                left++;
            }
            s.queue.close();
        }
        if (left > 0) {
            metrics.dropped(RemoteWriteMetrics.REASON_SHUTDOWN, left);
            settle(0, left);
            LOG.warn("remote-write {}: {} queued samples not delivered at shutdown", config.name(), left);
        }
        client.close();
    }

    /** One sender thread with its queue, encoder and compressor; series never move between shards. */
    private final class Shard implements Runnable {
        private final SampleQueue queue;
        private final Thread thread;
        private final WriteRequestEncoder encoder = new WriteRequestEncoder(64 * 1024);
        private final SnappyBlockCompressor compressor = new SnappyBlockCompressor();
        private Sample carry;

        Shard(int index, SampleQueue queue) {
            this.queue = queue;
            this.thread = new Thread(this, "netcost-remote-write-" + config.name() + "-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!closing) {
                    Sample first = carry != null ? carry : queue.poll(100, TimeUnit.MILLISECONDS);
                    carry = null;
                    if (first == null) {
                        continue;
                    }
                    fillBatch(first);
                    sendBatch();
                }
            } catch (InterruptedException e) {
                // closing: whatever is left is counted by close()
            } catch (RuntimeException e) {
                LOG.error("BUG: remote-write {} shard stopped", config.name(), e);
            }
            if (encoder.sampleCount() > 0) {
                metrics.dropped(RemoteWriteMetrics.REASON_SHUTDOWN, encoder.sampleCount());
                settle(0, encoder.sampleCount());
                encoder.reset();
            }
            if (carry != null) {
                metrics.dropped(RemoteWriteMetrics.REASON_SHUTDOWN, 1);
                settle(0, 1);
                carry = null;
            }
        }

        /**
         * Takes samples until the batch is full (by count or bytes), or the queue is empty and no write
         * is in progress (a cycle's samples are all here), or {@code batchDeadline} has passed.
         */
        private void fillBatch(Sample first) throws InterruptedException {
            RemoteWriteConfig.QueueConfig q = config.queue();
            encoder.reset();
            encoder.add(first);
            long deadline = System.nanoTime() + q.batchDeadline().toNanos();
            while (encoder.sampleCount() < q.maxSamplesPerSend()) {
                Sample s = queue.poll();
                if (s == null) {
                    long left = deadline - System.nanoTime();
                    if (writesInProgress.get() == 0 || left <= 0) {
                        return;
                    }
                    s = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)), TimeUnit.NANOSECONDS);
                    if (s == null) {
                        continue;
                    }
                }
                encoder.add(s);
                if (encoder.size() > q.maxBytesPerSend()) {
                    encoder.removeLast();
                    carry = s;
                    return;
                }
            }
        }

        private void sendBatch() throws InterruptedException {
            int n = encoder.sampleCount();
            compressor.compress(encoder.buffer(), encoder.size());
            for (int attempt = 0; ; attempt++) {
                long start = System.nanoTime();
                SendResult r = client.send(compressor.buffer(), compressor.size());
                metrics.request(r.status(), Duration.ofNanos(System.nanoTime() - start));
                if (r.delivered()) {
                    metrics.sent(n);
                    encoder.reset();
                    settle(n, 0);
                    return;
                }
                if (!r.retryable()) {
                    metrics.dropped(RemoteWriteMetrics.REASON_REJECTED, n);
                    encoder.reset();
                    settle(0, n);
                    throttled.warn("rejected-" + r.status(), "remote-write {}: endpoint answered HTTP {}, dropped {}"
                            + " samples (not retried: the request itself was refused; possible fixes: check"
                            + " the URL path, credentials and the endpoint's limits): {}",
                            config.name(), r.status(), n, r.detail());
                    return;
                }
                Duration delay = backoff.delay(attempt, r.retryAfter());
                metrics.retried(n);
                if (r.timedOut()) {
                    metrics.timedOut();
                }
                throttled.warn(r.timedOut() ? "timeout" : "retry", "remote-write {}: {}; retrying {} samples in {} ms",
                        config.name(), r.status() == 0 ? r.detail() : "HTTP " + r.status() + " " + r.detail(),
                        n, delay.toMillis());
                sleeper.sleep(delay);
            }
        }
    }

    /** How the retry loop waits; replaced in tests to record the delays. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public static final class Builder {
        private RemoteWriteConfig config;
        private MeterRegistry meters;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private IntFunction<SampleQueue> queueFactory = MemorySampleQueue::new;
        private SigV4RequestSigner signer;

        private Builder() {
        }

        public Builder config(RemoteWriteConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder meters(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        // VisibleForTesting
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        // VisibleForTesting
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Creates each shard's queue from its capacity. */
        public Builder queueFactory(IntFunction<SampleQueue> queueFactory) {
            this.queueFactory = Objects.requireNonNull(queueFactory, "queueFactory");
            return this;
        }

        /**
         * Signs with this signer instead of one made from {@code config.sigv4()}; the sink closes it.
         */
        public Builder signer(SigV4RequestSigner signer) {
            this.signer = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** Builds and starts the sink's sender threads; TLS files are read here. */
        public RemoteWriteSink build() throws IOException, GeneralSecurityException {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(meters, "meters");
            return new RemoteWriteSink(this);
        }
    }
}
