package dev.netcost.core.testing;

import dev.netcost.core.config.ClassificationConfig;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metadata a test sets by hand, as the informers would change it: pods, classification sets and
 * sync state; every change bumps {@link #generation()}. Lookups and classification delegate to a
 * {@link StaticClusterMetadata} built from the current pods.
 */
public final class MutableClusterMetadata implements ClusterMetadata {
    private final String nodeName;
    private final String zone;
    private final AtomicLong generation = new AtomicLong(1);
    private volatile StaticClusterMetadata current;
    private volatile ClassificationSets sets;
    private volatile boolean synced = true;
    private volatile boolean removedFromNode;
    private volatile List<PodInfo> pods = List.of();
    private volatile List<LoadBalancer> loadBalancers = List.of();

    public MutableClusterMetadata(String nodeName, String zone) {
        this.nodeName = nodeName;
        this.zone = zone;
        this.current = new StaticClusterMetadata(nodeName, zone, List.of(), ClassificationConfig.DEFAULT);
    }

    /** A pod with labels {@code {}}. */
    public static PodInfo pod(String namespace, String name, String uid, List<String> ips, boolean hostNetwork,
                              String workload, String workloadKind) {
        return new PodInfo(namespace, name, uid, ips, hostNetwork, Map.of(), workload, workloadKind);
    }

    public MutableClusterMetadata pods(List<PodInfo> pods) {
        this.pods = List.copyOf(pods);
        current = new StaticClusterMetadata(nodeName, zone, this.pods, ClassificationConfig.DEFAULT, loadBalancers);
        generation.incrementAndGet();
        return this;
    }

    /** Replaces the load balancers (their addresses classify as {@code load_balancer}), as discovery would. */
    public MutableClusterMetadata loadBalancers(List<LoadBalancer> loadBalancers) {
        this.loadBalancers = List.copyOf(loadBalancers);
        current = new StaticClusterMetadata(nodeName, zone, pods, ClassificationConfig.DEFAULT, this.loadBalancers);
        generation.incrementAndGet();
        return this;
    }

    public MutableClusterMetadata loadBalancers(LoadBalancer... loadBalancers) {
        return loadBalancers(List.of(loadBalancers));
    }

    public MutableClusterMetadata pods(PodInfo... pods) {
        return pods(List.of(pods));
    }

    /** Reports these sets (same zone, cross zone, VPC) instead of those of the pods' classifier. */
    public MutableClusterMetadata sets(List<Cidr> sameZone, List<Cidr> crossZone, List<Cidr> inVpc) {
        return sets(new ClassificationSets(sameZone, crossZone, inVpc));
    }

    /** Replaces the classification sets reported (null: those of the pods' classifier). */
    public MutableClusterMetadata sets(ClassificationSets sets) {
        this.sets = sets;
        generation.incrementAndGet();
        return this;
    }

    /** What {@link #agentRemovedFromNode()} answers: true as when the DaemonSet is being deleted. */
    public MutableClusterMetadata removedFromNode(boolean removed) {
        this.removedFromNode = removed;
        return this;
    }

    @Override
    public boolean agentRemovedFromNode() {
        return removedFromNode;
    }

    public MutableClusterMetadata synced(boolean synced) {
        this.synced = synced;
        return this;
    }

    /** Bumps the generation without changing anything, like an informer event that changed nothing visible. */
    public void touch() {
        generation.incrementAndGet();
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
        return current.localPods();
    }

    @Override
    public PodInfo localPod(String namespace, String name) {
        return current.localPod(namespace, name);
    }

    @Override
    public PodInfo localPodByIp(String ip) {
        return current.localPodByIp(ip);
    }

    @Override
    public List<LoadBalancer> loadBalancers() {
        return current.loadBalancers();
    }

    @Override
    public TrafficClass classifyIpv4(int address) {
        return current.classifyIpv4(address);
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return current.classifyIpv6(high, low);
    }

    @Override
    public ClassificationSets classificationSets() {
        ClassificationSets s = sets;
        return s != null ? s : current.classificationSets();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void start() {
    }

    @Override
    public void close() {
    }
}
