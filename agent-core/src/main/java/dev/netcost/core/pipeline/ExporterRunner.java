package dev.netcost.core.pipeline;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one exporter on its own thread, so that one that hangs holds up nobody else: a cycle it
 * overruns is abandoned (its late samples are discarded) and the next cycle is skipped until the
 * stuck call returns.
 */
final class ExporterRunner implements AutoCloseable {
    private final Exporter exporter;
    private final ExecutorService thread;
    private boolean started;
    private Future<List<Sample>> running;

    ExporterRunner(Exporter exporter) {
        this.exporter = exporter;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "netcost-exporter-" + exporter.name());
            t.setDaemon(true);
            return t;
        });
    }

    String name() {
        return exporter.name();
    }

    /** Starts this cycle's collection; null when the previous one is still running. */
    Future<List<Sample>> submit(long cycleMs) {
        if (running != null && !running.isDone()) {
            return null;
        }
        Collector collector = new Collector(cycleMs);
        running = thread.submit(() -> {
            if (!started) {
                exporter.start();
                started = true;
            }
            try {
                exporter.collect(collector);
            } finally {
                collector.closed = true;
            }
            return collector.samples;
        });
        return running;
    }

    @Override
    public void close() throws Exception {
        thread.shutdownNow();
        if (started) {
            exporter.close();
        }
    }

    /** Stamps samples without a timestamp with the cycle's time; ignores anything after the deadline. */
    private static final class Collector implements SampleConsumer {
        private final long cycleMs;
        private final List<Sample> samples = new ArrayList<>();
        private volatile boolean closed;

        Collector(long cycleMs) {
            this.cycleMs = cycleMs;
        }

        @Override
        public void accept(Labels labels, double value, long timestampMs) {
            if (closed) {
                throw new IllegalStateException("BUG: sample emitted after collect() returned");
            }
            samples.add(new Sample(labels, value, timestampMs == NO_TIMESTAMP ? cycleMs : timestampMs));
        }
    }
}
