package dev.netcost.core.aws;

import dev.netcost.core.k8s.Cidr;
import java.util.List;

/**
 * What IMDS says about this instance and its primary network interface. Empty strings mean "not known".
 *
 * @param region       {@code placement/region}
 * @param zone         {@code placement/availability-zone}
 * @param zoneId       {@code placement/availability-zone-id}
 * @param instanceId   {@code instance-id}
 * @param instanceType {@code instance-type}
 * @param vpcId        the primary interface's {@code vpc-id}
 * @param vpcCidrs     {@code vpc-ipv4-cidr-blocks} (all of them) and {@code vpc-ipv6-cidr-blocks}
 * @param subnetId     the primary interface's {@code subnet-id}
 * @param subnetCidrs  {@code subnet-ipv4-cidr-block} and {@code subnet-ipv6-cidr-blocks}
 */
public record InstanceIdentity(String region, String zone, String zoneId, String instanceId, String instanceType,
                               String vpcId, List<Cidr> vpcCidrs, String subnetId, List<Cidr> subnetCidrs) {
    public InstanceIdentity {
        vpcCidrs = List.copyOf(vpcCidrs);
        subnetCidrs = List.copyOf(subnetCidrs);
    }
}
