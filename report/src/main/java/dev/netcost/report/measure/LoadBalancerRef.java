package dev.netcost.report.measure;

/**
 * A load balancer as netcost labels it: {@code load_balancer} (the AWS name) and
 * {@code load_balancer_type} ({@code application}/{@code network}), within a cluster.
 */
public record LoadBalancerRef(String cluster, String name, String type) {
    /** The AWS load-balancer type as the ARN spells it: {@code app} or {@code net}. */
    public String arnType() {
        return "network".equals(type) ? "net" : "app";
    }
}
