package dev.netcost.cadvisor;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;

/** A metadata index with fixed pods that carry UIDs, as the Kubernetes-backed one would give. */
final class FixedMetadata implements ClusterMetadata {
    private final List<PodInfo> pods;
    volatile long generation = 1;

    FixedMetadata(List<PodInfo> pods) {
        this.pods = List.copyOf(pods);
    }

    static PodInfo pod(String namespace, String name, String uid, boolean hostNetwork) {
        return new PodInfo(namespace, name, uid, List.of(), hostNetwork, java.util.Map.of(), name + "-wl", "StatefulSet");
    }

    @Override
    public String nodeName() {
        return "node-p";
    }

    @Override
    public String nodeZone() {
        return "zone-p";
    }

    @Override
    public List<PodInfo> localPods() {
        return pods;
    }

    @Override
    public PodInfo localPod(String namespace, String name) {
        return pods.stream().filter(p -> p.namespace().equals(namespace) && p.name().equals(name)).findFirst()
                .orElse(null);
    }

    @Override
    public PodInfo localPodByIp(String ip) {
        return null;
    }

    @Override
    public TrafficClass classifyIpv4(int address) {
        return TrafficClass.INTERNET;
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return TrafficClass.INTERNET;
    }

    @Override
    public ClassificationSets classificationSets() {
        return new ClassificationSets(List.of(), List.of(), List.of());
    }

    @Override
    public long generation() {
        return generation;
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
