package dev.netcost.iptables;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.util.List;
import java.util.Map;

/** Metadata the tests set by hand (agent-core's {@link MutableClusterMetadata}) and its building blocks. */
final class TestMetadata {
    private TestMetadata() {
    }

    static MutableClusterMetadata of(String node, String zone) {
        return new MutableClusterMetadata(node, zone);
    }

    static PodInfo pod(String namespace, String name, String ip) {
        return new PodInfo(namespace, name, "uid-" + name, List.of(ip), false, Map.of(), name.replaceAll("-[0-9]+$", ""),
                "Deployment");
    }

    /** A pod with several addresses (dual-stack). */
    static PodInfo pod(String namespace, String name, String ip, String... more) {
        List<String> ips = new java.util.ArrayList<>();
        ips.add(ip);
        ips.addAll(List.of(more));
        return new PodInfo(namespace, name, "uid-" + name, ips, false, Map.of(), name.replaceAll("-[0-9]+$", ""),
                "Deployment");
    }

    static List<Cidr> cidrs(String... texts) {
        return java.util.Arrays.stream(texts).map(Cidr::parse).toList();
    }
}
