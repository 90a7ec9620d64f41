package dev.netcost.core.k8s;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ClassificationConfig;
import dev.netcost.core.config.StaticPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone metadata ({@code kubernetes.enabled: false}): pods from the static {@code pods[]} list,
 * the zone from {@code zone}, classification from {@code classification} plus the static pods' IPs
 * (on this node, so {@code same_zone}) and the load balancers' addresses ({@code load_balancer}).
 * Nothing changes after start-up.
 */
public final class StaticClusterMetadata implements ClusterMetadata {
    private final String nodeName;
    private final String zone;
    private final List<PodInfo> pods;
    private final Map<String, PodInfo> byIp = new HashMap<>();
    private final Map<String, PodInfo> byName = new HashMap<>();
    private final TrafficClassifier classifier;
    private final List<LoadBalancer> loadBalancers;

    public StaticClusterMetadata(AgentConfig config) {
        this(config.nodeName(), config.zone(), toPodInfos(config.pods()), config.classification(),
                config.loadBalancers());
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
        this.nodeName = nodeName;
        this.loadBalancers = List.copyOf(loadBalancers);
        this.zone = zone;
        TrafficClassifier.Builder cb = TrafficClassifier.builder().nodeZone(zone).classification(classification);
        for (PodInfo info : pods) {
            byName.put(info.namespace() + "/" + info.name(), info);
            if (info.hostNetwork()) {
                continue;
            }
            for (String ip : info.ips()) {
                byIp.put(ip, info);
                cb.address(ip, zone, true);
            }
        }
        for (LoadBalancer lb : this.loadBalancers) {
            cb.loadBalancer(lb);
        }
        this.pods = List.copyOf(pods);
        this.classifier = cb.build();
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
        return zone;
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
        return classifier.classifyIpv4(address);
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return classifier.classifyIpv6(high, low);
    }

    @Override
    public ClassificationSets classificationSets() {
        return classifier.sets();
    }

    @Override
    public long generation() {
        return 1;
    }

    @Override
    public boolean hasSynced() {
        return true;
    }

    @Override
    public void start() {
    }

    @Override
    public void close() {
    }
}
