package dev.netcost.core.k8s;

/**
 * The destination (or source) class of traffic: the {@code class} label of the series contract.
 * Declared in classification precedence: a load balancer's address beats every other entry, and
 * {@link #INTERNET} is the catch-all.
 */
public enum TrafficClass {
    /**
     * An address of a known load balancer's ENI ({@link ClusterMetadata#loadBalancers()}): traffic an
     * ALB or NLB exchanges with its targets, priced through the load balancer, never as zone transfer.
     */
    LOAD_BALANCER("load_balancer"),
    /** A pod, node or subnet in this node's zone: free on AWS. */
    SAME_ZONE("same_zone"),
    /** A pod, node or subnet in another zone: billed in each direction. */
    CROSS_ZONE("cross_zone"),
    /** A private address in the VPC that is not a known pod or node and has no known zone. */
    IN_VPC("in_vpc"),
    /** Anything else: internet egress (and NAT processing when it goes through a NAT gateway). */
    INTERNET("internet");

    private final String label;

    TrafficClass(String label) {
        this.label = label;
    }

    /** The value of the {@code class} label. */
    public String label() {
        return label;
    }
}
