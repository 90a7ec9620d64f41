package dev.netcost.core.k8s;

import java.util.Objects;

/**
 * This node's identity as the cloud knows it: the labels of {@code netcost_node_info}, the join key
 * between per-node series and the bill's per-instance lines. Empty strings mean "not known".
 *
 * @param node         the Kubernetes node name
 * @param zone         availability zone name, e.g. {@code us-east-2a}
 * @param zoneId       availability zone id, e.g. {@code use2-az1} (the same physical zone in every account)
 * @param region       e.g. {@code us-east-2}
 * @param instanceId   EC2 instance id, e.g. {@code i-0abc1234def567890}
 * @param instanceType e.g. {@code m6i.large}
 */
public record NodeInfo(String node, String zone, String zoneId, String region, String instanceId,
                       String instanceType) {
    public static final NodeInfo UNKNOWN = new NodeInfo("", "", "", "", "", "");

    public NodeInfo {
        node = Objects.requireNonNullElse(node, "");
        zone = Objects.requireNonNullElse(zone, "");
        zoneId = Objects.requireNonNullElse(zoneId, "");
        region = Objects.requireNonNullElse(region, "");
        instanceId = Objects.requireNonNullElse(instanceId, "");
        instanceType = Objects.requireNonNullElse(instanceType, "");
    }

    /** Each field from this, else from {@code fallback}: merges sources in order of trust. */
    public NodeInfo orElse(NodeInfo fallback) {
        return new NodeInfo(or(node, fallback.node), or(zone, fallback.zone), or(zoneId, fallback.zoneId),
                or(region, fallback.region), or(instanceId, fallback.instanceId),
                or(instanceType, fallback.instanceType));
    }

    private static String or(String a, String b) {
        return a.isEmpty() ? b : a;
    }
}
