package dev.netcost.core.pipeline;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.model.Utf8;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SourceUnavailableException;
import dev.netcost.core.log.ThrottledLogger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every exporter once per {@code interval}, each on its own thread with a timeout, times each
 * and records its success, adds stale markers for series that disappeared, and hands the cycle's
 * samples to every sink. One exporter failing or hanging never stops the others.
 *
 * <p>Per exporter it records {@code netcost_agent_exporter_duration_seconds{exporter}} and
 * {@code netcost_agent_exporter_success{exporter}}, both as meters on {@code /metrics} and as series
 * sent with the data (labelled with {@code node}). Every sample handed to the sinks carries the
 * configured external labels ({@link Builder#externalLabels}).
 *
 * <p>It cannot die quietly: anything a cycle throws is contained and logged, and the next cycle runs
 * as planned (also when the caller schedules cycles itself, through {@link #runScheduled()}); a {@link VirtualMachineError} (out of memory, stack overflow) goes to the fatal handler,
 * which in the agent ends the process so that Kubernetes restarts it. {@link #liveness()} reports when
 * no cycle has completed for a while (a hung sink or exporter thread), and
 * {@code netcost_agent_last_cycle_age_seconds} shows how long ago the last one completed. A series
 * with a label value longer than {@code maxLabelValueBytes} (UTF-8) is dropped before any sink sees
 * it and counted in {@code netcost_agent_series_dropped_total{reason="label_value_too_long"}}.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
    static final String DURATION_SERIES = "netcost_agent_exporter_duration_seconds";
    static final String SUCCESS_SERIES = "netcost_agent_exporter_success";
    static final Duration MIN_STALL = Duration.ofSeconds(30);

    private final List<Tracked> exporters = new ArrayList<>();
    private final List<Sink> sinks;
    private final Clock clock;
    private final Duration interval;
    private final Duration exporterTimeout;
    private final MeterRegistry meters;
    private final StaleSeriesTracker stale = new StaleSeriesTracker();
    private final ExternalLabels externalLabels;
    private final Map<String, String> lastFailure = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final int maxLabelValueBytes;
    private final Consumer<Throwable> onFatal;
    private final ThrottledLogger throttled;
    private final Map<String, Counter> droppedLongLabels = new ConcurrentHashMap<>();
    private final AtomicBoolean watched = new AtomicBoolean();
    private volatile boolean ready;
    /**
     * Clock millis of the last completed cycle, or of when cycles began to be watched ({@link #start()}
     * or the first {@link #runScheduled()}) before the first; -1 before.
     */
    private volatile long lastCycleMs = -1;

    private Pipeline(Builder b) {
        this.sinks = List.copyOf(b.sinks);
        this.clock = b.clock;
        this.interval = b.interval;
        this.exporterTimeout = b.exporterTimeout;
        this.meters = b.meters;
        this.externalLabels = new ExternalLabels(b.externalLabels);
        this.maxLabelValueBytes = b.maxLabelValueBytes;
        this.onFatal = b.onFatal;
        this.throttled = new ThrottledLogger(LOG, b.clock, Duration.ofMinutes(1));
        for (Exporter e : b.exporters) {
            Tracked t = new Tracked(new ExporterRunner(e), new AtomicLong(), new AtomicLong(),
                    Labels.of(DURATION_SERIES, "exporter", e.name(), "node", b.nodeName),
                    Labels.of(SUCCESS_SERIES, "exporter", e.name(), "node", b.nodeName));
            exporters.add(t);
            Gauge.builder("netcost.agent.exporter.duration", t.durationNanos(), v -> v.get() / 1e9)
                    .description("How long the exporter's last collection took")
                    .baseUnit("seconds").tag("exporter", e.name()).register(meters);
            Gauge.builder("netcost.agent.exporter.success", t.success(), AtomicLong::get)
                    .description("1 when the exporter's last collection succeeded, else 0")
                    .tag("exporter", e.name()).register(meters);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netcost-pipeline");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True once a cycle has completed. */
    public boolean isReady() {
        return ready;
    }

    /** Runs cycles every {@code interval}, the first one now. */
    public void start() {
        watch();
        scheduler.scheduleAtFixedRate(this::runScheduled, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * One cycle as the pipeline's own schedule runs it, for a caller that schedules cycles itself (the
     * webhook runs them while it leads): whatever the cycle throws is contained and logged, so that
     * it cannot cancel the caller's later cycles by escaping (a {@link VirtualMachineError} goes to the
     * fatal handler); and from the first call on, {@link #liveness()} watches that cycles keep completing.
     */
    public void runScheduled() {
        watch();
        try {
            runOnce();
        } catch (VirtualMachineError e) {
            onFatal.accept(e);
        } catch (Throwable t) {
            LOG.error("BUG: collection cycle failed; the next cycle runs as planned", t);
        }
    }

    /** How long without a completed cycle makes the pipeline not live: 3 intervals + exporterTimeout, at least 30 s. */
    Duration stallAfter() {
        return stallAfter(interval, exporterTimeout);
    }

    /**
     * The same rule for cycles run by someone else at {@code interval} (the webhook's leader runs
     * {@link #runOnce()} itself), so every {@code /healthz} judges a stall alike.
     */
    public static Duration stallAfter(Duration interval, Duration exporterTimeout) {
        Duration d = interval.multipliedBy(3).plus(exporterTimeout);
        return d.compareTo(MIN_STALL) < 0 ? MIN_STALL : d;
    }

    /**
     * Null while cycles complete as planned (or they are run on demand only: neither {@link #start()}
     * nor {@link #runScheduled()} was called); otherwise why the pipeline is not live, for {@code /healthz}.
     */
    public String liveness() {
        long last = lastCycleMs;
        if (last < 0) {
            return null;
        }
        long age = clock.millis() - last;
        if (age <= stallAfter().toMillis()) {
            return null;
        }
        return "no collection cycle has completed for " + age / 1000 + " s (interval " + interval.toSeconds()
                + " s); see the log for a stuck exporter or sink";
    }

    /** From now on cycles are expected: liveness and the last-cycle age gauge watch them. */
    private void watch() {
        if (watched.compareAndSet(false, true)) {
            lastCycleMs = clock.millis();
            Gauge.builder("netcost.agent.last.cycle.age", this, p -> (clock.millis() - p.lastCycleMs) / 1e3)
                    .description("Seconds since the last collection cycle completed (since start before the first)")
                    .baseUnit("seconds").register(meters);
        }
    }

    /** Runs one cycle now, on the calling thread, and returns once every sink has its samples. */
    public synchronized CycleResult runOnce() {
        long cycleMs = clock.millis();
        long cycleStart = System.nanoTime();
        List<Future<List<Sample>>> futures = new ArrayList<>(exporters.size());
        for (Tracked t : exporters) {
            futures.add(t.runner().submit(cycleMs));
        }
        List<Sample> out = new ArrayList<>();
        Map<String, Boolean> success = new LinkedHashMap<>();
        long deadline = cycleStart + exporterTimeout.toNanos();
        for (int i = 0; i < exporters.size(); i++) {
            Tracked t = exporters.get(i);
            String name = t.runner().name();
            List<Sample> samples = await(name, futures.get(i), deadline);
            long took = System.nanoTime() - cycleStart;
            boolean ok = samples != null;
            success.put(name, ok);
            t.durationNanos().set(took);
            t.success().set(ok ? 1 : 0);
            if (ok) {
                samples = withoutLongLabelValues(name, samples);
                out.addAll(samples);
                stale.update(name, samples, cycleMs, out);
            }
            out.add(new Sample(t.durationSeries(), took / 1e9, cycleMs));
            out.add(new Sample(t.successSeries(), ok ? 1 : 0, cycleMs));
        }
        List<Sample> batch = List.copyOf(externalLabels.isEmpty() ? out : externalLabels.apply(out));
        for (Sink sink : sinks) {
            try {
                sink.write(batch);
            } catch (RuntimeException ex) {
                LOG.error("BUG: sink {} threw from write()", sink.name(), ex);
            }
        }
        if (lastCycleMs >= 0) {
            lastCycleMs = clock.millis();
        }
        ready = true;
        return new CycleResult(cycleMs, batch.size(), success);
    }

    /** {@code samples} without the series that have a label value too long to send; each one counted. */
    private List<Sample> withoutLongLabelValues(String exporter, List<Sample> samples) {
        List<Sample> kept = null;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            boolean tooLong = hasLongValue(s.labels());
            if (tooLong && kept == null) {
                kept = new ArrayList<>(samples.subList(0, i));
            }
            if (kept != null && !tooLong) {
                kept.add(s);
            }
        }
        if (kept == null) {
            return samples;
        }
        int dropped = samples.size() - kept.size();
        droppedLongLabels.computeIfAbsent(exporter, e -> Counter.builder("netcost.agent.series.dropped")
                .description("Series dropped before sending, by reason").tag("exporter", e)
                .tag("reason", "label_value_too_long").register(meters)).increment(dropped);
        throttled.warn("long-label-" + exporter, "exporter {}: dropped {} samples with a label value longer than {}"
                + " bytes (maxLabelValueBytes; counted in netcost_agent_series_dropped_total)", exporter, dropped,
                maxLabelValueBytes);
        return kept;
    }

    private boolean hasLongValue(Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            String v = labels.value(i);
            // A char is at most 3 UTF-8 bytes: only long strings need counting.
            if (v.length() * 3 > maxLabelValueBytes && Utf8.length(v) > maxLabelValueBytes) {
                return true;
            }
        }
        return false;
    }

    /** The exporter's samples, or null when it failed, timed out or is still stuck in an earlier cycle. */
    private List<Sample> await(String name, Future<List<Sample>> f, long deadlineNanos) {
        if (f == null) {
            failed(name, "still running from an earlier cycle (a call that ignores interrupts?)", null);
            return null;
        }
        try {
            List<Sample> s = f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == null) {
                failed(name, "returned no samples (BUG)", null);
                return null;
            }
            if (lastFailure.remove(name) != null) {
                LOG.info("exporter {} is collecting again", name);
            }
            return s;
        } catch (TimeoutException e) {
            f.cancel(true);
            failed(name, "timed out after " + exporterTimeout.toMillis() + " ms (exporterTimeout)", null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof VirtualMachineError vme) {
                onFatal.accept(vme);
                failed(name, String.valueOf(cause), null);
            } else if (cause instanceof SourceUnavailableException) {
                failed(name, "source unavailable: " + cause.getMessage(), null);
            } else if (cause instanceof IOException) {
                // A peer's failure, explained by its message (what to check): no stack trace for it.
                failed(name, String.valueOf(cause.getMessage()), null);
            } else {
                failed(name, String.valueOf(cause), cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            failed(name, "interrupted", null);
        }
        return null;
    }

    /** Logs a failure when it starts or changes, not every cycle. */
    private void failed(String name, String reason, Throwable t) {
        String previous = lastFailure.put(name, reason);
        if (reason.equals(previous)) {
            return;
        }
        if (t == null) {
            LOG.warn("exporter {} failed: {}", name, reason);
        } else {
            LOG.warn("exporter {} failed", name, t);
        }
    }

    /** Waits for every sink to deliver what it has; true when all of it was delivered. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (Sink sink : sinks) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            if (!sink.flush(left)) {
                LOG.warn("sink {} did not deliver everything", sink.name());
                all = false;
            }
        }
        return all;
    }

    /** Stops cycles and exporters, then closes the sinks; call {@link #flush} first to deliver. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Tracked t : exporters) {
            try {
                t.runner().close();
            } catch (Exception e) {
                LOG.warn("exporter {} failed to close", t.runner().name(), e);
            }
        }
        for (Sink s : sinks) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("sink {} failed to close", s.name(), e);
            }
        }
    }

    /**
     * One exporter with what the pipeline keeps about it: the values behind its gauges and its own
     * duration and success series (built, and validated, once).
     */
    private record Tracked(ExporterRunner runner, AtomicLong durationNanos, AtomicLong success, Labels durationSeries,
                           Labels successSeries) {
    }

    public static final class Builder {
        private final List<Exporter> exporters = new ArrayList<>();
        private final List<Sink> sinks = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Duration interval = Duration.ofSeconds(15);
        private Duration exporterTimeout = Duration.ofSeconds(10);
        private String nodeName = "";
        private MeterRegistry meters;
        private Map<String, String> externalLabels = Map.of();
        private int maxLabelValueBytes = 2048;
        private Consumer<Throwable> onFatal = e -> LOG.error("fatal error in the collection pipeline", e);

        private Builder() {
        }

        public Builder exporter(Exporter exporter) {
            Objects.requireNonNull(exporter, "exporter");
            for (Exporter e : exporters) {
                if (e.name().equals(exporter.name())) {
                    throw new IllegalArgumentException("two exporters named " + exporter.name());
                }
            }
            exporters.add(exporter);
            return this;
        }

        public Builder sink(Sink sink) {
            sinks.add(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder interval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive");
            }
            this.interval = interval;
            return this;
        }

        public Builder exporterTimeout(Duration exporterTimeout) {
            if (exporterTimeout.isNegative() || exporterTimeout.isZero()) {
                throw new IllegalArgumentException("exporterTimeout must be positive");
            }
            this.exporterTimeout = exporterTimeout;
            return this;
        }

        public Builder nodeName(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
            return this;
        }

        /** Labels added to every sample the sinks get, unless the series has the label already. */
        public Builder externalLabels(Map<String, String> externalLabels) {
            this.externalLabels = new java.util.TreeMap<>(Objects.requireNonNull(externalLabels, "externalLabels"));
            return this;
        }

        /** Series with a longer label value (UTF-8 bytes) are dropped and counted. */
        public Builder maxLabelValueBytes(int maxLabelValueBytes) {
            if (maxLabelValueBytes < 1) {
                throw new IllegalArgumentException("maxLabelValueBytes must be positive");
            }
            this.maxLabelValueBytes = maxLabelValueBytes;
            return this;
        }

        /** Called with a {@link VirtualMachineError} thrown in a cycle; the agent ends the process there. */
        public Builder onFatal(Consumer<Throwable> onFatal) {
            this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
            return this;
        }

        public Builder meters(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        public Pipeline build() {
            Objects.requireNonNull(meters, "meters");
            return new Pipeline(this);
        }
    }
}
