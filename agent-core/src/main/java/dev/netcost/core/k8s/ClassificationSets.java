package dev.netcost.core.k8s;

import java.util.List;

/**
 * The address sets that decide a remote address's class, as of one metadata generation, for
 * exporters that classify in the kernel (iptables/nft sets). Precedence: same zone, then cross zone,
 * then VPC; anything in none of them is internet.
 *
 * @param sameZone  pod IPs, node IPs, pod CIDRs and subnets in this node's zone
 * @param crossZone the same in other zones
 * @param inVpc     VPC CIDRs (private space with no known zone)
 */
public record ClassificationSets(List<Cidr> sameZone, List<Cidr> crossZone, List<Cidr> inVpc) {
    public ClassificationSets {
        sameZone = List.copyOf(sameZone);
        crossZone = List.copyOf(crossZone);
        inVpc = List.copyOf(inVpc);
    }

    /** The CIDRs of one class, in precedence order; empty for {@link TrafficClass#INTERNET}, the catch-all. */
    public List<Cidr> cidrs(TrafficClass cls) {
        return switch (cls) {
            case SAME_ZONE -> sameZone;
            case CROSS_ZONE -> crossZone;
            case IN_VPC -> inVpc;
            case INTERNET -> List.of();
        };
    }
}
