package dev.netcost.core.remotewrite;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.function.DoubleSupplier;

/**
 * Retry delays: exponential from {@code min} to {@code max} with jitter, unless the server said
 * when to come back with {@code Retry-After}, which wins (capped at {@link #RETRY_AFTER_CAP}).
 */
final class Backoff {
    static final Duration RETRY_AFTER_CAP = Duration.ofMinutes(5);

    private final Duration min;
    private final Duration max;
    private final DoubleSupplier random;

    Backoff(Duration min, Duration max, DoubleSupplier random) {
        this.min = min;
        this.max = max;
        this.random = random;
    }

    /**
     * The delay before retry number {@code attempt} (0 for the first retry): the exponential value
     * {@code min * 2^attempt} capped at {@code max}, then jittered into [50%, 100%] of itself so that
     * many agents failing together do not retry in lock-step.
     */
    Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(RETRY_AFTER_CAP) > 0 ? RETRY_AFTER_CAP : retryAfter;
        }
        long base = min.toNanos() << Math.min(attempt, 30);
        if (base <= 0 || base > max.toNanos()) {
            base = max.toNanos();
        }
        long jittered = (long) (base * (0.5 + 0.5 * random.getAsDouble()));
        return Duration.ofNanos(Math.max(jittered, 1));
    }

    /** Parses {@code Retry-After}: delay-seconds or an HTTP-date; null when absent or unreadable. */
    static Duration parseRetryAfter(String header, Clock clock) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
