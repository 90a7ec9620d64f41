package dev.netcost.report.measure;

import java.util.BitSet;

/**
 * What {@code netcost_node_info} says about a node, and the hours of the window it said so in.
 *
 * @param ref        the node
 * @param instanceId the EC2 instance id ({@code i-...}), or ""
 * @param zone       availability zone name, e.g. {@code us-east-2a}, or ""
 * @param region     e.g. {@code us-east-2}, or ""
 * @param hours      the hours in which the series was present
 */
public record NodeInfo(NodeRef ref, String instanceId, String zone, String region, BitSet hours) {
}
