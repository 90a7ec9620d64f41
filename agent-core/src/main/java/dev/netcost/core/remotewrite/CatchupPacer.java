package dev.netcost.core.remotewrite;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Caps the samples per second one endpoint is sent (a token bucket holding one second's worth), so
 * a backlog drains at a bounded rate after an outage instead of all at once. In steady state an agent
 * sends far below the cap and never waits. Shared by the endpoint's shards.
 */
final class CatchupPacer {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final RemoteWriteSink.Sleeper sleeper;
    private double tokens;
    private long last;

    CatchupPacer(int samplesPerSecond, LongSupplier nanoTime, RemoteWriteSink.Sleeper sleeper) {
        if (samplesPerSecond < 1) {
            throw new IllegalArgumentException("samplesPerSecond must be positive, got " + samplesPerSecond);
        }
        this.perNano = samplesPerSecond / 1e9;
        this.burst = samplesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /** Takes {@code n} samples' worth, waiting first when the bucket is in debt. */
    void acquire(int n) throws InterruptedException {
        Duration wait = reserve(n);
        if (!wait.isZero()) {
            sleeper.sleep(wait);
        }
    }

    /** How long to wait before sending {@code n} samples; the tokens are taken now. */
    synchronized Duration reserve(int n) {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        double before = tokens;
        tokens -= n;
        if (before >= 0) {
            return Duration.ZERO; // a batch larger than the bucket is let through and paid for after
        }
        return Duration.ofNanos((long) Math.ceil(-before / perNano));
    }
}
