package dev.netcost.webhook;

import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeNetworkInterfacesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.NetworkInterface;
import software.amazon.awssdk.services.ec2.model.NetworkInterfaceIpv6Address;
import software.amazon.awssdk.services.ec2.model.NetworkInterfacePrivateIpAddress;

/**
 * Every Application and Network Load Balancer with an ENI in one VPC, from EC2
 * {@code DescribeNetworkInterfaces} (filters {@code description} = {@code ELB app/*}, {@code ELB net/*}
 * and {@code vpc-id}; every page). Elastic Load Balancing describes each of its ENIs as
 * {@code ELB app/<name>/<id>} or {@code ELB net/<name>/<id>}: that gives the load balancer, and the ENI
 * gives its private addresses and zone. IAM: {@code ec2:DescribeNetworkInterfaces}.
 */
final class NetworkInterfaceScraper {
    private static final Pattern DESCRIPTION = Pattern.compile("ELB (app|net)/([A-Za-z0-9-]{1,32})/([0-9a-f]+)");
    static final int PAGE_SIZE = 1000;

    private final Ec2Client ec2;

    NetworkInterfaceScraper(Ec2Client ec2) {
        this.ec2 = ec2;
    }

    /** The load balancers with ENIs in {@code vpcId} (every VPC the credentials see when empty), by name. */
    Map<String, LoadBalancer> loadBalancers(String vpcId) {
        List<Filter> filters = new ArrayList<>();
        filters.add(Filter.builder().name("description").values("ELB app/*", "ELB net/*").build());
        if (!vpcId.isEmpty()) {
            filters.add(Filter.builder().name("vpc-id").values(vpcId).build());
        }
        DescribeNetworkInterfacesRequest request = DescribeNetworkInterfacesRequest.builder().filters(filters)
                .maxResults(PAGE_SIZE).build();
        Map<String, Builder> byName = new LinkedHashMap<>();
        for (NetworkInterface eni : ec2.describeNetworkInterfacesPaginator(request).networkInterfaces()) {
            Matcher m = eni.description() == null ? null : DESCRIPTION.matcher(eni.description());
            if (m == null || !m.matches()) {
                continue; // a Classic Load Balancer ("ELB <name>") or a look-alike
            }
            LoadBalancerType type = "app".equals(m.group(1)) ? LoadBalancerType.APPLICATION : LoadBalancerType.NETWORK;
            Builder b = byName.computeIfAbsent(m.group(2), n -> new Builder(n, type, m.group(3)));
            String zone = eni.availabilityZone() == null ? "" : eni.availabilityZone();
            for (NetworkInterfacePrivateIpAddress a : eni.privateIpAddresses()) {
                b.add(a.privateIpAddress(), zone);
            }
            if (eni.privateIpAddresses().isEmpty()) {
                b.add(eni.privateIpAddress(), zone);
            }
            for (NetworkInterfaceIpv6Address a : eni.ipv6Addresses()) {
                b.add(a.ipv6Address(), zone);
            }
        }
        Map<String, LoadBalancer> out = new LinkedHashMap<>();
        byName.forEach((name, b) -> {
            if (!b.addresses.isEmpty()) {
                out.put(name, new LoadBalancer(name, b.type, b.id, b.addresses));
            }
        });
        return out;
    }

    private static final class Builder {
        final String name;
        final LoadBalancerType type;
        final String id;
        final List<LoadBalancer.Address> addresses = new ArrayList<>();

        Builder(String name, LoadBalancerType type, String id) {
            this.name = name;
            this.type = type;
            this.id = id;
        }

        void add(String ip, String zone) {
            if (ip != null && !ip.isEmpty() && addresses.stream().noneMatch(a -> a.ip().equals(ip))) {
                addresses.add(new LoadBalancer.Address(ip, zone));
            }
        }
    }
}
