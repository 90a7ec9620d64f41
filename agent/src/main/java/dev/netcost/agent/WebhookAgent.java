package dev.netcost.agent;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.Durations;
import dev.netcost.core.http.DebugServer;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.pipeline.LatestSamplesSink;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.pipeline.Sink;
import dev.netcost.core.pricing.PriceBookExporter;
import dev.netcost.core.selfmetrics.AgentInfoExporter;
import dev.netcost.core.selfmetrics.SelfMetrics;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.webhook.WebhookConfig;
import dev.netcost.webhook.WebhookExporter;
import dev.netcost.webhook.WebhookExporterFactory;
import dev.netcost.webhook.WebhookRuntime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission-webhook process: the webhook runtime (HTTPS server, lists, leader election) and an
 * agent-core pipeline with the configured sinks whose cycles the runtime runs while this replica leads.
 * The debug endpoint ({@code debug.*}) is served as in {@code netcost node}.
 */
final class WebhookAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAgent.class);

    private final AgentConfig config;
    private final SelfMetrics selfMetrics;
    private final ClusterMetadata metadata;
    private final Pipeline pipeline;
    private final WebhookRuntime runtime;
    private final LatestSamplesSink latest = new LatestSamplesSink();
    private final DebugServer debugServer;
    private final List<String> sinkNames = new ArrayList<>();

    WebhookAgent(AgentConfig config, WebhookExporterFactory factory, Clock clock) {
        this.config = config;
        this.selfMetrics = new SelfMetrics();
        List<Sink> sinks;
        try {
            sinks = new ArrayList<>(Sinks.create(config, selfMetrics.registry(), clock));
        } catch (NodeAgent.StartupException e) {
            selfMetrics.close();
            throw e;
        }
        sinks.add(latest);
        this.metadata = new StaticClusterMetadata(config);
        WebhookConfig wc = config.exporterConfig(factory.configKey(), WebhookConfig.class);
        WebhookExporter exporter = factory.create(wc,
                new ExporterContext(config, selfMetrics.registry(), clock, metadata));
        this.runtime = exporter.runtime();
        Pipeline.Builder pb = Pipeline.builder().meters(selfMetrics.registry()).clock(clock)
                .interval(config.interval()).exporterTimeout(config.exporterTimeout()).nodeName(config.nodeName())
                .externalLabels(config.externalLabels())
                .maxLabelValueBytes(config.maxLabelValueBytes()).onFatal(Processes::exitOnFatal)
                .exporter(new AgentInfoExporter(config, clock)).exporter(exporter);
        if (config.pricing().enabled()) {
            // The cluster's one price book: cycles run only while this replica leads.
            pb.exporter(new PriceBookExporter(config.pricing()));
        }
        for (Sink s : sinks) {
            pb.sink(s);
            sinkNames.add(s.name());
        }
        this.pipeline = pb.build();
        // The runtime runs the cycles (only while leading), so it judges them; the pipeline is never started.
        this.debugServer = Processes.debugServer(config, latest, runtime::isReady, selfMetrics.registry(),
                runtime::liveness);
    }

    /** What both {@code /healthz} say: null while live, else why not. */
    String liveness() {
        return runtime.liveness();
    }

    /** Serves the debug endpoint and the webhook; throws {@link NodeAgent.StartupException} for user errors. */
    void start() {
        Processes.startDebug(debugServer, config);
        try {
            // runScheduled: an Error thrown in a cycle is contained and logged, so the runtime's next
            // cycles still run (the runtime's liveness judges whether they complete).
            runtime.start(pipeline::runScheduled, config.interval());
        } catch (WebhookRuntime.StartupException e) {
            throw new NodeAgent.StartupException(e.getMessage(), e);
        }
        LOG.info("netcost webhook {}: series every {} while leader, sinks {}", dev.netcost.core.Version.get(),
                Durations.format(config.interval()), sinkNames);
    }

    /** Hands over leadership, stops serving, then delivers what is queued for at most {@code timeout}. */
    boolean stop(Duration timeout) {
        runtime.close();
        boolean delivered = Processes.flush(pipeline, timeout);
        close();
        return delivered;
    }

    @Override
    public void close() {
        runtime.close();
        pipeline.close();
        metadata.close();
        if (debugServer != null) {
            debugServer.close();
        }
        selfMetrics.close();
    }
}
