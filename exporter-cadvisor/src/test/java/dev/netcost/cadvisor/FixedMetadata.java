package dev.netcost.cadvisor;

import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.util.List;

/** Metadata with fixed pods that carry UIDs, as the Kubernetes-backed index would give. */
final class FixedMetadata {
    private FixedMetadata() {
    }

    static MutableClusterMetadata of(List<PodInfo> pods) {
        return new MutableClusterMetadata("node-p", "zone-p").pods(pods);
    }

    static PodInfo pod(String namespace, String name, String uid, boolean hostNetwork) {
        return MutableClusterMetadata.pod(namespace, name, uid, List.of(), hostNetwork, name + "-wl", "StatefulSet");
    }
}
