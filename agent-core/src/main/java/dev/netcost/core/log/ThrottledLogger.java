package dev.netcost.core.log;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a repeated message at most once per period and key, saying how many were suppressed, so an
 * endpoint that is down for an hour does not write a line per retry.
 */
public final class ThrottledLogger {
    private final Logger delegate;
    private final Clock clock;
    private final long periodMs;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    public ThrottledLogger(Logger delegate, Clock clock, Duration period) {
        this.delegate = delegate;
        this.clock = clock;
        this.periodMs = period.toMillis();
    }

    public void warn(String key, String format, Object... args) {
        long suppressed = admit(key);
        if (suppressed >= 0) {
            delegate.warn(suffix(format, suppressed), args);
        }
    }

    public void error(String key, String format, Object... args) {
        long suppressed = admit(key);
        if (suppressed >= 0) {
            delegate.error(suffix(format, suppressed), args);
        }
    }

    /** -1 to stay quiet, else how many were suppressed since the last line for this key. */
    private long admit(String key) {
        long now = clock.millis();
        Window w = windows.computeIfAbsent(key, k -> new Window());
        synchronized (w) {
            if (w.lastLogged != Long.MIN_VALUE && now - w.lastLogged < periodMs) {
                w.suppressed.incrementAndGet();
                return -1;
            }
            w.lastLogged = now;
            return w.suppressed.getAndSet(0);
        }
    }

    private static String suffix(String format, long suppressed) {
        return suppressed == 0 ? format : format + " (" + suppressed + " similar messages suppressed)";
    }

    private static final class Window {
        long lastLogged = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }
}
