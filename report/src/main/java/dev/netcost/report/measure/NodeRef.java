package dev.netcost.report.measure;

/** A node of one cluster ({@code netcost_node_info}): the key that pods name in their {@code node} label. */
public record NodeRef(String cluster, String node) {
}
