package dev.netcost.report.measure;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The report's time window, {@code [start, end)}, in whole hours: hour {@code h} is
 * {@code [start + h hours, start + (h+1) hours)}, the granularity of an hourly CUR.
 */
public record Window(Instant start, Instant end) {
    public static final Duration HOUR = Duration.ofHours(1);

    public Window {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("start " + start + " is not before end " + end);
        }
        if (start.getEpochSecond() % 3600 != 0 || end.getEpochSecond() % 3600 != 0
                || start.getNano() != 0 || end.getNano() != 0) {
            throw new IllegalArgumentException("start and end must be whole hours (UTC)");
        }
    }

    /** Number of hours in the window. */
    public int hours() {
        return (int) ((end.getEpochSecond() - start.getEpochSecond()) / 3600);
    }

    /** The hour that {@code epochSecond} falls in, or -1 outside the window. */
    public int hourOf(long epochSecond) {
        if (epochSecond < start.getEpochSecond() || epochSecond >= end.getEpochSecond()) {
            return -1;
        }
        return (int) ((epochSecond - start.getEpochSecond()) / 3600);
    }

    /** The start of hour {@code h}. */
    public Instant hourStart(int h) {
        return start.plusSeconds(3600L * h);
    }
}
