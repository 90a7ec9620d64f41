package dev.netcost.core.k8s;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.StaticPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone metadata ({@code kubernetes.enabled: false}): pods from the static {@code pods[]} list,
 * the zone from {@code zone}, classification from {@code classification} plus the static pods' IPs
 * (on this node, so {@code same_zone}). Nothing changes after start-up.
 */
public final class StaticClusterMetadata implements ClusterMetadata {
    private final String nodeName;
    private final String zone;
    private final List<PodInfo> pods;
    private final Map<String, PodInfo> byIp = new HashMap<>();
    private final Map<String, PodInfo> byName = new HashMap<>();
    private final TrafficClassifier classifier;

    public StaticClusterMetadata(AgentConfig config) {
        this.nodeName = config.nodeName();
        this.zone = config.zone();
        List<PodInfo> list = new ArrayList<>();
        TrafficClassifier.Builder cb = TrafficClassifier.builder().nodeZone(zone).classification(config.classification());
        for (StaticPod p : config.pods()) {
            PodInfo info = new PodInfo(p.namespace(), p.name(), "", List.of(p.ip()), false, p.labels(), p.workload(),
                    p.workloadKind());
            list.add(info);
            byIp.put(p.ip(), info);
            byName.put(p.namespace() + "/" + p.name(), info);
            cb.address(p.ip(), zone, true);
        }
        this.pods = List.copyOf(list);
        this.classifier = cb.build();
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
