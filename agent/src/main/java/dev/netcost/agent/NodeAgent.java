package dev.netcost.agent;

import dev.netcost.core.aws.AwsLayoutRefresher;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.Durations;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.KubernetesClusterMetadata;
import dev.netcost.core.k8s.NetworkLayoutSource;
import dev.netcost.core.k8s.NodeInfoExporter;
import dev.netcost.core.k8s.PodLabelsExporter;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.http.DebugServer;
import dev.netcost.core.pipeline.LatestSamplesSink;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.pipeline.Sink;
import dev.netcost.core.pricing.PriceBookExporter;
import dev.netcost.core.selfmetrics.AgentInfoExporter;
import dev.netcost.core.selfmetrics.SelfMetrics;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The DaemonSet process, assembled from the configuration: exporters, pipeline, sinks, debug endpoint. */
final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final AgentConfig config;
    private final SelfMetrics selfMetrics;
    private final Pipeline pipeline;
    private final LatestSamplesSink latest = new LatestSamplesSink();
    private final DebugServer debugServer;
    private final List<String> sinkNames = new ArrayList<>();
    private final ClusterMetadata metadata;
    private final AwsLayoutRefresher aws;

    /** Builds everything; throws {@link StartupException} for problems the user must fix (TLS files...). */
    NodeAgent(AgentConfig config, List<ExporterFactory<?>> factories, Clock clock) {
        this.config = config;
        this.selfMetrics = new SelfMetrics();
        Pipeline.Builder pb = Pipeline.builder().meters(selfMetrics.registry()).clock(clock)
                .interval(config.interval()).exporterTimeout(config.exporterTimeout()).nodeName(config.nodeName())
                .externalLabels(config.externalLabels())
                .maxLabelValueBytes(config.maxLabelValueBytes()).onFatal(Processes::exitOnFatal);
        List<Sink> sinks;
        try {
            sinks = new ArrayList<>(Sinks.create(config, selfMetrics.registry(), clock));
        } catch (StartupException e) {
            selfMetrics.close();
            throw e;
        }
        sinks.add(latest);
        for (Sink s : sinks) {
            pb.sink(s);
            sinkNames.add(s.name());
        }
        pb.exporter(new AgentInfoExporter(config, clock));
        // aws.enabled: IMDS + DescribeSubnets feed classification and node facts, in the background.
        this.aws = config.aws().enabled()
                ? new AwsLayoutRefresher(config.aws(), System.getenv(), selfMetrics.registry(), clock) : null;
        NetworkLayoutSource layout = aws == null ? NetworkLayoutSource.NONE : aws;
        this.metadata = config.kubernetes().enabled()
                ? KubernetesClusterMetadata.builder().config(config).meters(selfMetrics.registry()).clock(clock)
                        .layout(layout).build()
                : new StaticClusterMetadata(config, layout);
        pb.exporter(new NodeInfoExporter(metadata));
        ExporterContext ctx = new ExporterContext(config, selfMetrics.registry(), clock, metadata);
        if (!config.labels().pod().isEmpty()) {
            pb.exporter(new PodLabelsExporter(metadata, config.labels().pod()));
        }
        if (emitsPriceBook(config)) {
            pb.exporter(new PriceBookExporter(config.pricing()));
        }
        for (ExporterFactory<?> f : factories) {
            Exporter e = create(f, config, ctx);
            if (e != null) {
                pb.exporter(e);
            }
        }
        this.pipeline = pb.build();
        this.debugServer = Processes.debugServer(config, latest, this::isReady, selfMetrics.registry(),
                pipeline::liveness);
    }

    /**
     * Whether this node agent emits the price book: only standalone ({@code kubernetes.enabled: false})
     * and with a {@code pricing:} section. In a cluster the webhook's leader is the one emitter: every
     * node agent sending the same price series would write one series from many processes.
     */
    static boolean emitsPriceBook(AgentConfig config) {
        if (!config.pricing().configured() || !config.pricing().enabled()) {
            return false;
        }
        if (config.kubernetes().enabled()) {
            LOG.info("pricing: not emitted by netcost node with kubernetes.enabled (the webhook's leader emits the"
                    + " price book, once per cluster)");
            return false;
        }
        return true;
    }

    /** {@code /readyz}: collecting, and the metadata has had its first full list (always so when standalone). */
    boolean isReady() {
        return pipeline.isReady() && metadata.hasSynced();
    }

    private static <C> Exporter create(ExporterFactory<C> f, AgentConfig config, ExporterContext ctx) {
        @SuppressWarnings("unchecked")
        C c = (C) config.exporters().get(f.configKey());
        if (!f.runsInNode()) {
            return null; // another command's exporter (netcost webhook)
        }
        if (c == null || !f.enabled(c)) {
            LOG.info("exporter {} disabled", f.configKey());
            return null;
        }
        return f.create(c, ctx);
    }

    /** Starts the debug endpoint; {@code cycles} also starts periodic collection. */
    void start(boolean cycles) {
        Processes.startDebug(debugServer, config);
        metadata.start(); // returns at once: the API being down never holds up collection
        if (aws != null) {
            aws.start(); // likewise: classification starts with what it has and is rebuilt when AWS answers
        }
        LOG.info("netcost node {} on node '{}': every {}, sinks {}", dev.netcost.core.Version.get(), config.nodeName(),
                Durations.format(config.interval()), sinkNames);
        if (cycles) {
            pipeline.start();
        }
    }

    AgentConfig config() {
        return config;
    }

    ClusterMetadata metadata() {
        return metadata;
    }

    Pipeline pipeline() {
        return pipeline;
    }

    /** Flushes every sink for at most {@code timeout}, then stops everything. */
    boolean stop(Duration timeout) {
        boolean delivered = Processes.flush(pipeline, timeout);
        close();
        return delivered;
    }

    @Override
    public void close() {
        pipeline.close();
        if (aws != null) {
            aws.close();
        }
        metadata.close();
        if (debugServer != null) {
            debugServer.close();
        }
        selfMetrics.close();
    }

    /** A start-up problem the user must fix; reported without a stack trace, exit code 2. */
    static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
