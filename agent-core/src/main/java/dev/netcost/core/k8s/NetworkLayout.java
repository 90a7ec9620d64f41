package dev.netcost.core.k8s;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node learnt about its network at run time (on EKS from IMDS and {@code DescribeSubnets}):
 * the VPC's CIDR blocks, every subnet's CIDRs by zone, and this node's own facts. It extends the
 * configured {@code classification} (see {@link dev.netcost.core.config.ClassificationConfig#withLearned}).
 *
 * @param vpc   the VPC's CIDR blocks, IPv4 and IPv6
 * @param zones zone name → CIDRs of the subnets in that zone
 * @param node  this node's facts (region, zone, zone id, instance id and type); node name left empty
 */
public record NetworkLayout(List<Cidr> vpc, Map<String, List<Cidr>> zones, NodeInfo node) {
    public static final NetworkLayout EMPTY = new NetworkLayout(List.of(), Map.of(), NodeInfo.UNKNOWN);

    public NetworkLayout {
        vpc = List.copyOf(vpc);
        Map<String, List<Cidr>> copy = new LinkedHashMap<>();
        zones.forEach((zone, cidrs) -> copy.put(zone, List.copyOf(cidrs)));
        zones = Collections.unmodifiableMap(copy);
        node = node == null ? NodeInfo.UNKNOWN : node;
    }
}
