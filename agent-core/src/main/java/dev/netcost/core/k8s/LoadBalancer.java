package dev.netcost.core.k8s;

import java.util.List;
import java.util.Objects;

/**
 * One AWS load balancer as the address book knows it: the private IPs of its ENIs, each in the zone of
 * its ENI. An ALB (and an NLB without client-IP preservation) connects to IP targets from these
 * addresses, which is how a pod's traffic with it is recognised in the kernel.
 *
 * @param name      the AWS load balancer name, e.g. {@code k8s-sharedalb-1a2b3c4d5e} (the
 *                  {@code load_balancer} label)
 * @param type      application or network
 * @param id        the AWS id, the last part of the ARN ({@code 50dc6c495c0c9188}); "" when not known
 * @param addresses the ENIs' private addresses; never empty
 */
public record LoadBalancer(String name, LoadBalancerType type, String id, List<Address> addresses) {
    public LoadBalancer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        id = id == null ? "" : id;
        addresses = List.copyOf(addresses);
    }

    /**
     * One ENI's private address.
     *
     * @param ip   an IPv4 or IPv6 literal
     * @param zone the ENI's availability zone, e.g. {@code us-east-2a}; "" when not known
     */
    public record Address(String ip, String zone) {
        public Address {
            Objects.requireNonNull(ip, "ip");
            zone = zone == null ? "" : zone;
        }
    }
}
