package dev.netcost.agent;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import dev.netcost.core.spi.SampleConsumer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test exporter for the agent run as a process: each cycle it counts on in a file, so the count
 * goes on across kills and restarts, and emits {@code netcost_test_cycle} with the count as its value
 * (plus {@code series} bulk series, to fill a queue). What arrives at the endpoint then says exactly
 * which cycles were collected. Not registered for the test JVM: {@link DurableQueueProcessIT} puts a
 * services file for it on the agent process's class path only.
 */
public final class CycleCounterExporterFactory implements ExporterFactory<CycleCounterExporterFactory.Config> {
    record Config(Path counterFile, int series) {
    }

    @Override
    public String configKey() {
        return "testCycle";
    }

    @Override
    public Config parseConfig(ConfigNode section) {
        return new Config(section.path("counterFile", null), section.integer("series", 0, 0, 1_000_000));
    }

    @Override
    public boolean enabled(Config config) {
        return config.counterFile() != null;
    }

    @Override
    public Exporter create(Config config, ExporterContext context) {
        return new Exporter() {
            private final Labels cycle = Labels.of("netcost_test_cycle", "node", context.agent().nodeName());

            @Override
            public String name() {
                return "test_cycle";
            }

            @Override
            public void collect(SampleConsumer out) {
                long n = read(config.counterFile()) + 1;
                try {
                    // replaced atomically, so a kill or a reader never sees it half written
                    Path next = config.counterFile().resolveSibling(config.counterFile().getFileName() + ".next");
                    Files.writeString(next, Long.toString(n));
                    Files.move(next, config.counterFile(), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.accept(cycle, n);
                for (int i = 0; i < config.series(); i++) {
                    out.accept(Labels.of("netcost_test_bulk", "series", "s" + i, "pad",
                            "padding-to-make-each-sample-take-some-room-on-disk"), n);
                }
            }
        };
    }

    static long read(Path counterFile) {
        try {
            return Files.exists(counterFile) ? Long.parseLong(Files.readString(counterFile).trim()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
