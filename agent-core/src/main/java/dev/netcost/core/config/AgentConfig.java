package dev.netcost.core.config;

import dev.netcost.core.k8s.LoadBalancer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The effective configuration, loaded once at start-up by {@link ConfigLoader}. Every key and its
 * default is documented in {@code docs/configuration.md}.
 *
 * @param nodeName        this node's name ({@code nodeName}, default: the host name)
 * @param zone            this node's zone when not learnt from the API ({@code zone}, default empty)
 * @param interval        time between collection cycles ({@code interval}, default 15s)
 * @param exporterTimeout how long one exporter may take per cycle ({@code exporterTimeout}, default the
 *                        interval up to 10s; never more than the interval)
 * @param remoteWrite     the remote-write endpoints; none means the local file sink
 * @param localFile       the embedded default sink used when no remote-write endpoint is configured
 * @param debug           the node-level debug HTTP endpoint
 * @param kubernetes      whether metadata comes from the Kubernetes API
 * @param pods            static pods for standalone use
 * @param classification  CIDR → zone maps and VPC ranges for traffic classes
 * @param loadBalancers   load balancers declared in the config ({@code loadBalancers[]}): their ENI
 *                        addresses and zones, for standalone use, demos and tests
 * @param exporters       each exporter module's own parsed section, by config key
 * @param pricing         the price book ({@code pricing:}), emitted by the webhook's leader
 * @param labels          Kubernetes label keys copied into series ({@code labels:})
 * @param externalLabels  labels added to every series sent ({@code externalLabels}, like Prometheus'
 *                        {@code external_labels}; default {@code job: netcost}), sorted by name; a
 *                        label the series already has keeps its own value
 * @param dataDir         where the agent keeps state across restarts: the durable remote-write queues
 *                        ({@code dataDir}, default {@code ./netcost-data})
 * @param aws             the {@code aws} section: IMDS/EC2 on EKS, load-balancer discovery, static node facts
 * @param maxLabelValueBytes the longest label value (UTF-8 bytes) a series may carry; longer ones are
 *                        dropped and counted, never sent ({@code maxLabelValueBytes}, default 2048)
 */
public record AgentConfig(
        String nodeName,
        String zone,
        Duration interval,
        Duration exporterTimeout,
        List<RemoteWriteConfig> remoteWrite,
        LocalFileConfig localFile,
        DebugConfig debug,
        KubernetesConfig kubernetes,
        List<StaticPod> pods,
        ClassificationConfig classification,
        List<LoadBalancer> loadBalancers,
        Map<String, Object> exporters,
        PricingConfig pricing,
        LabelsConfig labels,
        Map<String, String> externalLabels,
        Path dataDir,
        AwsConfig aws,
        int maxLabelValueBytes) {
    public static final Path DEFAULT_DATA_DIR = Path.of("netcost-data");

    public AgentConfig {
        remoteWrite = List.copyOf(remoteWrite);
        pods = List.copyOf(pods);
        loadBalancers = List.copyOf(loadBalancers);
        exporters = Map.copyOf(exporters);
        externalLabels = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(externalLabels));
        classification = classification == null ? ClassificationConfig.DEFAULT : classification;
        pricing = pricing == null ? PricingConfig.DEFAULT : pricing;
        labels = labels == null ? LabelsConfig.DEFAULT : labels;
        aws = aws == null ? AwsConfig.DEFAULT : aws;
    }

    /** The parsed section of the exporter owning {@code configKey}, or null. */
    public <C> C exporterConfig(String configKey, Class<C> type) {
        Object c = exporters.get(configKey);
        return c == null ? null : type.cast(c);
    }
}
