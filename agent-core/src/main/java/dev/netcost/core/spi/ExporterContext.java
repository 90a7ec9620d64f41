package dev.netcost.core.spi;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.k8s.ClusterMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;

/**
 * What the agent hands every exporter it creates.
 *
 * @param agent  the whole effective configuration (node name, zone, static pods, ...)
 * @param meters the agent's own registry, for exporter-specific counters
 * @param clock  the time source; exporters never call {@code System.currentTimeMillis()}
 * @param metadata pods on this node, zones and traffic classification
 */
public record ExporterContext(AgentConfig agent, MeterRegistry meters, Clock clock, ClusterMetadata metadata) {
    public ExporterContext {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(clock, "clock");
    }
}
