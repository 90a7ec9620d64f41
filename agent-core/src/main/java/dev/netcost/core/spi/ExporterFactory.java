package dev.netcost.core.spi;

import dev.netcost.core.config.ConfigNode;

/**
 * Discovered with {@link java.util.ServiceLoader}: each exporter module registers one factory in
 * {@code META-INF/services/dev.netcost.core.spi.ExporterFactory}, so the runnable wires none by hand.
 *
 * @param <C> the exporter's immutable config record
 */
public interface ExporterFactory<C> {
    /** The top-level config key this exporter owns, e.g. {@code cadvisor}. */
    String configKey();

    /**
     * Reads the exporter's section. Problems are reported on {@code section}, never thrown, so that
     * start-up can list every configuration error at once. A missing section arrives as an empty node.
     */
    C parseConfig(ConfigNode section);

    /** Whether the exporter runs with this configuration. */
    boolean enabled(C config);

    Exporter create(C config, ExporterContext context);

    /**
     * Whether {@code netcost node} runs this exporter. False for exporters that belong to another
     * command (the admission webhook): their section is still parsed, so one file can serve both.
     */
    default boolean runsInNode() {
        return true;
    }
}
