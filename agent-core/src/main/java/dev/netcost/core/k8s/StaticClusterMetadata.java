package dev.netcost.core.k8s;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.config.ClassificationConfig;
import dev.netcost.core.config.StaticPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standalone metadata ({@code kubernetes.enabled: false}): pods from the static {@code pods[]} list,
 * the zone from {@code zone}, classification from {@code classification} plus the static pods' IPs
 * (on this node, so {@code same_zone}) and the load balancers' addresses ({@code load_balancer}). Pods
 * never change after start-up; with a {@link NetworkLayoutSource} (standalone with {@code aws.enabled})
 * the classifier, zone and node facts are rebuilt when AWS answers, and {@link #generation()} increases.
 */
public final class StaticClusterMetadata implements ClusterMetadata {
    private final String nodeName;
    private final String configuredZone;
    private final List<PodInfo> pods;
    private final Map<String, PodInfo> byIp = new HashMap<>();
    private final Map<String, PodInfo> byName = new HashMap<>();
    private final ClassificationConfig classification;
    private final List<LoadBalancer> loadBalancers;
    private final NodeInfo staticNode;
    private final NetworkLayoutSource layout;
    private final AtomicLong generation = new AtomicLong(1);
    private volatile State state;

    private record State(TrafficClassifier classifier, String zone, NodeInfo node, NetworkLayout learnt) {
    }

    public StaticClusterMetadata(AgentConfig config) {
        this(config, NetworkLayoutSource.NONE);
    }

    /** From the config, with ranges and node facts learnt at run time from {@code layout}. */
    public StaticClusterMetadata(AgentConfig config, NetworkLayoutSource layout) {
        this(config.nodeName(), config.zone(), toPodInfos(config.pods()), config.classification(),
                config.loadBalancers(), staticNode(config), layout);
    }

    /**
     * Fixed metadata from pods known up front (benchmarks, tests, hosts without an API server).
     * hostNetwork pods are listed but, sharing the node's IP, never found by IP.
     */
    public StaticClusterMetadata(String nodeName, String zone, List<PodInfo> pods, ClassificationConfig classification) {
        this(nodeName, zone, pods, classification, List.of());
    }

    /** As above, with load balancers known up front. */
    public StaticClusterMetadata(String nodeName, String zone, List<PodInfo> pods, ClassificationConfig classification,
                                 List<LoadBalancer> loadBalancers) {
        this(nodeName, zone, pods, classification, loadBalancers, new NodeInfo(nodeName, zone, "", "", "", ""),
                NetworkLayoutSource.NONE);
    }

    private StaticClusterMetadata(String nodeName, String zone, List<PodInfo> pods, ClassificationConfig classification,
                                  List<LoadBalancer> loadBalancers, NodeInfo staticNode, NetworkLayoutSource layout) {
        this.nodeName = nodeName;
        this.loadBalancers = List.copyOf(loadBalancers);
        this.configuredZone = zone;
        this.classification = classification;
        this.staticNode = staticNode;
        this.layout = Objects.requireNonNull(layout, "layout");
        for (PodInfo info : pods) {
            byName.put(info.namespace() + "/" + info.name(), info);
            if (!info.hostNetwork()) {
                for (String ip : info.ips()) {
                    byIp.put(ip, info);
                }
            }
        }
        this.pods = List.copyOf(pods);
        this.state = build(layout.current());
    }

    /** The facts {@code aws.*} and the top-level keys give for this node. */
    static NodeInfo staticNode(AgentConfig config) {
        AwsConfig aws = config.aws();
        return new NodeInfo(config.nodeName(), config.zone(), aws.zoneId(), aws.region(), aws.instanceId(),
                aws.instanceType());
    }

    private State build(NetworkLayout learnt) {
        String zone = configuredZone.isEmpty() ? learnt.node().zone() : configuredZone;
        TrafficClassifier.Builder cb = TrafficClassifier.builder().nodeZone(zone)
                .classification(classification.withLearned(learnt.zones(), learnt.vpc()));
        for (PodInfo info : pods) {
            if (!info.hostNetwork()) {
                for (String ip : info.ips()) {
                    cb.address(ip, zone, true);
                }
            }
        }
        for (LoadBalancer lb : loadBalancers) { // load_balancer beats whatever else claims the address
            cb.loadBalancer(lb);
        }
        NodeInfo node = new NodeInfo(nodeName, zone, "", "", "", "").orElse(learnt.node()).orElse(staticNode);
        return new State(cb.build(), zone, node, learnt);
    }

    private static List<PodInfo> toPodInfos(List<StaticPod> pods) {
        List<PodInfo> list = new ArrayList<>();
        for (StaticPod p : pods) {
            list.add(new PodInfo(p.namespace(), p.name(), "", List.of(p.ip()), false, p.labels(), p.workload(),
                    p.workloadKind()));
        }
        return list;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String nodeZone() {
        return state.zone();
    }

    @Override
    public NodeInfo nodeInfo() {
        return state.node();
    }

    @Override
    public List<PodInfo> localPods() {
        return pods;
    }

    @Override
    public PodInfo localPod(String namespace, String name) {
        return byName.get(namespace + "/" + name);
    }

    @Override
    public PodInfo localPodByIp(String ip) {
        return byIp.get(ip);
    }

    @Override
    public List<LoadBalancer> loadBalancers() {
        return loadBalancers;
    }

    @Override
    public TrafficClass classifyIpv4(int address) {
        return state.classifier().classifyIpv4(address);
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return state.classifier().classifyIpv6(high, low);
    }

    @Override
    public ClassificationSets classificationSets() {
        return state.classifier().sets();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public boolean hasSynced() {
        return true;
    }

    @Override
    public void start() {
        layout.onChange(this::relearn);
        relearn(); // in case it changed between construction and now
    }

    private synchronized void relearn() {
        NetworkLayout learnt = layout.current();
        if (learnt != state.learnt()) {
            state = build(learnt);
            generation.incrementAndGet();
        }
    }

    @Override
    public void close() {
    }
}
