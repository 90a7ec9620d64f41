package dev.netcost.core.config;

import dev.netcost.core.k8s.Cidr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code classification} section: address ranges that place remote IPs the Kubernetes API does not
 * know (see docs/metadata.md for the precedence).
 *
 * @param zones {@code classification.zones}: zone name → CIDRs in that zone (on EKS, the subnets of each
 *              availability zone), in file order; default none
 * @param vpc   {@code classification.vpc}: the VPC's CIDRs ({@code in_vpc}); default none, meaning the
 *              private ranges 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7
 */
public record ClassificationConfig(Map<String, List<Cidr>> zones, List<Cidr> vpc) {
    public static final ClassificationConfig DEFAULT = new ClassificationConfig(Map.of(), List.of());

    public ClassificationConfig {
        Map<String, List<Cidr>> copy = new LinkedHashMap<>();
        zones.forEach((zone, cidrs) -> copy.put(zone, List.copyOf(cidrs)));
        zones = Collections.unmodifiableMap(copy);
        vpc = List.copyOf(vpc);
    }

    /**
     * This configuration extended with ranges learnt at run time (on EKS: every subnet of the VPC and
     * the VPC's CIDR blocks). Hand-written entries win: a learnt subnet that overlaps a configured
     * zone CIDR is left out, and learnt VPC CIDRs are used only when {@code vpc} is empty.
     */
    public ClassificationConfig withLearned(Map<String, List<Cidr>> learntZones, List<Cidr> learntVpc) {
        if (learntZones.isEmpty() && learntVpc.isEmpty()) {
            return this;
        }
        Map<String, List<Cidr>> merged = new LinkedHashMap<>();
        zones.forEach((zone, cidrs) -> merged.put(zone, new ArrayList<>(cidrs)));
        learntZones.forEach((zone, cidrs) -> {
            for (Cidr c : cidrs) {
                if (!overlapsConfigured(c)) {
                    merged.computeIfAbsent(zone, z -> new ArrayList<>()).add(c);
                }
            }
        });
        return new ClassificationConfig(merged, vpc.isEmpty() ? learntVpc : vpc);
    }

    private boolean overlapsConfigured(Cidr c) {
        for (List<Cidr> cidrs : zones.values()) {
            for (Cidr z : cidrs) {
                if (z.overlaps(c)) {
                    return true;
                }
            }
        }
        return false;
    }
}
