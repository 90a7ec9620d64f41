package dev.netcost.core.remotewrite;

import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.core.config.Durations;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.model.Sample;
import dev.netcost.core.pipeline.Sink;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
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
 *
 * <p>Given a {@code dataDir} and {@code queue.durable}, each shard's queue is a {@link DiskSampleQueue}
 * under {@code <dataDir>/queue/<endpoint>-<key>/}: a sample is released from it only once the endpoint
 * accepted it (or refused it for good), so what was queued survives a crash or restart and is sent
 * at least once. A sample polled from the queue and not yet released is sent again after a crash.
 * Sending is paced at {@code queue.maxCatchupSamplesPerSecond}, so a backlog drains at a bounded rate.
 */
public final class RemoteWriteSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteWriteSink.class);

    private final RemoteWriteConfig config;
    private final RemoteWriteClient client;
    private final RemoteWriteMetrics metrics;
    private final ThrottledLogger throttled;
    private final ThrottledLogger dropLog;
    private final CatchupPacer pacer;
    private final Path queueDir;
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
        this.dropLog = new ThrottledLogger(LOG, b.clock, Duration.ofMinutes(1));
        this.backoff = new Backoff(config.queue().minBackoff(), config.queue().maxBackoff(), b.random);
        this.sleeper = b.sleeper;
        RemoteWriteConfig.QueueConfig q = config.queue();
        this.pacer = new CatchupPacer(q.maxCatchupSamplesPerSecond(), System::nanoTime, b.sleeper);
        this.metrics = new RemoteWriteMetrics(b.meters, config.name(), this::queueLength);
        int perShard = Math.max(1, q.capacity() / q.shards());
        this.shards = new Shard[q.shards()];
        this.queueDir = b.dataDir != null && q.durable() ? QueueDirectory.of(b.dataDir, config) : null;
        if (queueDir != null) {
            QueueDirectory.prepare(queueDir, config, b.clock);
            DiskSampleQueue.Options options = new DiskSampleQueue.Options(perShard,
                    Math.max(1, q.maxDiskBytes() / q.shards()), q.maxAge(), q.fsync(), q.fsyncInterval());
            for (int i = 0; i < shards.length; i++) {
                DiskSampleQueue dq = new DiskSampleQueue(QueueDirectory.shard(queueDir, i), options, b.clock,
                        this::droppedByQueue);
                if (!dq.isOnDisk()) {
                    LOG.warn("remote-write {}: the durable queue cannot use {} ({}); queueing in memory (up to {}"
                            + " samples, lost on restart) and retrying every minute (possible fixes: make dataDir"
                            + " writable, free space on its volume, or set queue.durable: false)", config.name(),
                            QueueDirectory.shard(queueDir, i), dq.memoryReason(), perShard);
                }
                shards[i] = new Shard(i, dq);
            }
            metrics.durableQueue(this::diskBytes, this::memoryFallbacks);
        } else {
            for (int i = 0; i < shards.length; i++) {
                shards[i] = new Shard(i, b.queueFactory.apply(perShard));
            }
        }
        synchronized (settleLock) {
            accepted = queueLength() + dropped; // a backlog from the last run, and what was dropped reading it
        }
        for (Shard s : shards) {
            s.thread.start();
        }
    }

    /** The durable queue's directory for this endpoint, or null when it queues in memory only. */
    Path queueDir() {
        return queueDir;
    }

    private long diskBytes() {
        long n = 0;
        for (Shard s : shards) {
            if (s.queue instanceof DiskSampleQueue d) {
                n += d.diskBytes();
            }
        }
        return n;
    }

    private int memoryFallbacks() {
        int n = 0;
        for (Shard s : shards) {
            if (s.queue instanceof DiskSampleQueue d && !d.isOnDisk()) {
                n++;
            }
        }
        return n;
    }

    /** The durable queue gave samples up (budget, age, damage): counted, settled, logged once a minute. */
    private void droppedByQueue(String reason, long n) {
        metrics.dropped(reason, (int) n);
        settle(0, (int) n);
        String why = switch (reason) {
            case RemoteWriteMetrics.REASON_MAX_DISK_BYTES -> "the queue reached queue.maxDiskBytes ("
                    + config.queue().maxDiskBytes() + " bytes) and its oldest samples were deleted";
            case RemoteWriteMetrics.REASON_MAX_AGE -> "they were queued longer than queue.maxAge ("
                    + Durations.format(config.queue().maxAge()) + ")";
            case RemoteWriteMetrics.REASON_CORRUPT -> "they were damaged on disk";
            default -> reason;
        };
        dropLog.warn("dropped-" + reason, "remote-write {}: dropped {} queued samples: {} (counted in"
                + " netcost_agent_remote_write_samples_dropped_total{reason=\"{}\"}; possible fixes: bring the"
                + " endpoint back, raise queue.maxDiskBytes or queue.maxAge)", config.name(), n, why, reason);
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
            for (Shard shard : shards) {
                shard.queue.seal();
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
        long lost = 0;
        long kept = 0;
        for (Shard s : shards) {
            SampleQueue.Closed c = s.queue.shutdown();
            lost += c.lost();
            kept += c.kept();
        }
        if (lost > 0) {
            metrics.dropped(RemoteWriteMetrics.REASON_SHUTDOWN, (int) Math.min(Integer.MAX_VALUE, lost));
            settle(0, (int) Math.min(Integer.MAX_VALUE, lost));
            LOG.warn("remote-write {}: {} queued samples not delivered at shutdown", config.name(), lost);
        }
        if (kept > 0) {
            LOG.info("remote-write {}: {} samples kept on disk in {}, sent after the next start", config.name(),
                    kept, queueDir);
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
        /** The batch holds samples that may have been delivered before a crash (see {@link SampleQueue#inDoubt}). */
        private boolean doubtful;

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
            // A batch still in hand was polled and not released: the queue's shutdown() counts it,
            // as lost (memory) or kept for the next start (disk).
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
            // In-doubt samples go alone, as the request they were before the crash. Asked again for
            // each sample: those of them the queue drops unsent (too old, damaged) are no longer in doubt.
            doubtful = queue.inDoubt() > 0;
            while (encoder.sampleCount() < q.maxSamplesPerSend()) {
                if (doubtful && encoder.sampleCount() >= queue.inDoubt()) {
                    return;
                }
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
            pacer.acquire(n);
            queue.sending(n);
            for (int attempt = 0; ; attempt++) {
                long start = System.nanoTime();
                SendResult r = client.send(compressor.buffer(), compressor.size());
                metrics.request(r.status(), Duration.ofNanos(System.nanoTime() - start));
                if (r.delivered()) {
                    metrics.sent(n);
                    encoder.reset();
                    queue.release(n);
                    settle(n, 0);
                    return;
                }
                if (!r.retryable() && doubtful && r.status() == 400) {
                    // Prometheus refuses a request holding a sample older than the series' newest
                    // ("out of order") and stores none of it: these were stored before the crash.
                    encoder.reset();
                    queue.release(n);
                    settle(n, 0);
                    LOG.info("remote-write {}: {} samples sent again after a restart were refused as already"
                            + " stored (HTTP 400: {}); they were delivered before the agent stopped",
                            config.name(), n, r.detail());
                    return;
                }
                if (!r.retryable()) {
                    metrics.dropped(RemoteWriteMetrics.REASON_REJECTED, n);
                    encoder.reset();
                    queue.release(n);
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
        private Path dataDir;

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

        /**
         * Where durable queues live ({@code dataDir}); with {@code queue.durable} (the default) each shard
         * queues on disk under it. Unset: in memory.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** Creates each shard's queue from its capacity, when not durable. */
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
