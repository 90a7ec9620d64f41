package dev.netcost.core.k8s;

import java.util.List;

/**
 * Who owns an IP and in which zone: the index every exporter enriches with. Backed by fabric8
 * informers when {@code kubernetes.enabled} is true, by the static {@code pods[]} and
 * {@code classification} config otherwise. All reads are cheap and safe from any thread.
 */
public interface ClusterMetadata extends AutoCloseable {
    /** This node's name (the {@code node} label). */
    String nodeName();

    /** This node's zone (the {@code zone} label), "" when unknown. */
    String nodeZone();

    /** A snapshot of the pods on this node, hostNetwork ones included. */
    List<PodInfo> localPods();

    /** The local pod with this namespace and name, or null. */
    PodInfo localPod(String namespace, String name);

    /** The local pod that owns {@code ip} (never a hostNetwork pod: they share the node's IP), or null. */
    PodInfo localPodByIp(String ip);

    /** The class of traffic between this node and an IPv4 address (as a big-endian int). Allocates nothing. */
    TrafficClass classifyIpv4(int address);

    /** The class of traffic between this node and an IPv6 address (high and low 64 bits). Allocates nothing. */
    TrafficClass classifyIpv6(long high, long low);

    /**
     * The load balancers this node knows of: their ENI addresses and zones ({@code loadBalancers[]} in
     * the config, and on EKS the ones the webhook discovers). A change increases {@link #generation()}.
     */
    default List<LoadBalancer> loadBalancers() {
        return List.of();
    }

    /**
     * This node's cloud identity for {@code netcost_node_info}: from the Node object (provider id and
     * labels), else IMDS, else the static {@code aws.*} keys. Fields not known are empty.
     */
    default NodeInfo nodeInfo() {
        return new NodeInfo(nodeName(), nodeZone(), "", "", "", "");
    }

    /** The sets behind {@link #classifyIpv4}/{@link #classifyIpv6}, for in-kernel classification. */
    ClassificationSets classificationSets();

    /** Increases whenever pods, zones or sets change, so consumers can reconcile only when needed. */
    long generation();

    /** True once the initial list of every source has been received (always true when standalone). */
    boolean hasSynced();

    /**
     * Seconds since the metadata was last known to be current (0 when standalone); see docs/metadata.md.
     * Exporters keep working with the last known metadata whatever this says.
     */
    default double stalenessSeconds() {
        return 0;
    }

    /** Starts watching; returns without waiting for the initial sync. */
    void start();

    /**
     * Asked once at shutdown: true when this agent stops because it is being removed from the node for
     * good (its DaemonSet is deleted, as by {@code helm uninstall}), so that what it added to the node
     * should go too. False when unknown, standalone, or on a restart or upgrade.
     */
    default boolean agentRemovedFromNode() {
        return false;
    }

    @Override
    void close();
}
