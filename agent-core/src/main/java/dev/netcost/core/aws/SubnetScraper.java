package dev.netcost.core.aws;

import dev.netcost.core.k8s.Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.SubnetIpv6CidrBlockAssociation;

/**
 * Every subnet of one VPC with its zone, from EC2 {@code DescribeSubnets} (filter {@code vpc-id}, all
 * pages): the ranges that place any VPC address (a pod on another node, a database, an endpoint) in
 * its availability zone. IAM: {@code ec2:DescribeSubnets}.
 */
public final class SubnetScraper {
    private final Ec2Client ec2;

    public SubnetScraper(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    /** Zone name → the IPv4 and associated IPv6 CIDRs of its subnets, zones sorted by name. */
    public Map<String, List<Cidr>> subnetsByZone(String vpcId) {
        Map<String, List<Cidr>> out = new TreeMap<>();
        for (Subnet s : ec2.describeSubnetsPaginator(r -> r.filters(Filter.builder().name("vpc-id").values(vpcId)
                .build())).subnets()) {
            String zone = s.availabilityZone();
            if (zone == null || zone.isEmpty()) {
                continue;
            }
            List<Cidr> cidrs = out.computeIfAbsent(zone, z -> new ArrayList<>());
            add(cidrs, s.cidrBlock());
            for (SubnetIpv6CidrBlockAssociation a : s.ipv6CidrBlockAssociationSet()) {
                if (a.ipv6CidrBlockState() == null || "associated".equals(a.ipv6CidrBlockState().stateAsString())) {
                    add(cidrs, a.ipv6CidrBlock());
                }
            }
        }
        Map<String, List<Cidr>> sorted = new LinkedHashMap<>();
        out.forEach((zone, cidrs) -> sorted.put(zone, List.copyOf(cidrs)));
        return sorted;
    }

    private static void add(List<Cidr> out, String text) {
        if (text != null && !text.isEmpty()) {
            try {
                out.add(Cidr.parse(text));
            } catch (IllegalArgumentException e) {
                // not a range: skip it
            }
        }
    }
}
