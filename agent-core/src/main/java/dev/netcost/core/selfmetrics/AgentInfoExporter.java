package dev.netcost.core.selfmetrics;

import dev.netcost.core.Version;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.time.Clock;

/**
 * The agent's own identity, sent with the data so every node's agent shows up where the data lands:
 * {@code netcost_agent_info{version,node,zone}} (value 1), {@code netcost_agent_start_time_seconds}
 * and {@code netcost_agent_static_pods} (pods declared in {@code pods[]}).
 */
public final class AgentInfoExporter implements Exporter {
    private final Labels info;
    private final Labels startTime;
    private final Labels staticPods;
    private final double startSeconds;
    private final int podCount;

    public AgentInfoExporter(AgentConfig config, Clock clock) {
        this.info = Labels.of("netcost_agent_info", "version", Version.get(), "node", config.nodeName(),
                "zone", config.zone());
        this.startTime = Labels.of("netcost_agent_start_time_seconds", "node", config.nodeName());
        this.staticPods = Labels.of("netcost_agent_static_pods", "node", config.nodeName());
        this.startSeconds = clock.millis() / 1000.0;
        this.podCount = config.pods().size();
    }

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public void collect(SampleConsumer out) {
        out.accept(info, 1);
        out.accept(startTime, startSeconds);
        out.accept(staticPods, podCount);
    }
}
