package dev.netcost.core.k8s;

import java.util.List;

/**
 * The address sets that decide a remote address's class, as of one metadata generation, for
 * exporters that classify in the kernel (iptables/nft sets). Precedence: load balancer, same zone,
 * then cross zone, then VPC; anything in none of them is internet. The sets a classifier computes
 * are disjoint, so any order gives the same answers.
 *
 * @param sameZone     pod IPs, node IPs, pod CIDRs and subnets in this node's zone
 * @param crossZone    the same in other zones
 * @param inVpc        VPC CIDRs (private space with no known zone)
 * @param loadBalancer the known load balancers' ENI addresses (host CIDRs)
 */
public record ClassificationSets(List<Cidr> sameZone, List<Cidr> crossZone, List<Cidr> inVpc, List<Cidr> loadBalancer) {
    public ClassificationSets {
        sameZone = List.copyOf(sameZone);
        crossZone = List.copyOf(crossZone);
        inVpc = List.copyOf(inVpc);
        loadBalancer = List.copyOf(loadBalancer);
    }

    /** Sets with no load-balancer address. */
    public ClassificationSets(List<Cidr> sameZone, List<Cidr> crossZone, List<Cidr> inVpc) {
        this(sameZone, crossZone, inVpc, List.of());
    }

    /** The CIDRs of one class, in precedence order; empty for {@link TrafficClass#INTERNET}, the catch-all. */
    public List<Cidr> cidrs(TrafficClass cls) {
        return switch (cls) {
            case LOAD_BALANCER -> loadBalancer;
            case SAME_ZONE -> sameZone;
            case CROSS_ZONE -> crossZone;
            case IN_VPC -> inVpc;
            case INTERNET -> List.of();
        };
    }
}
