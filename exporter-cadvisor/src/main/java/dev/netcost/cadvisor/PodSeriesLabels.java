package dev.netcost.cadvisor;

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.model.Labels;

/**
 * Builds the label set of one pod network series, the same for both sources so that switching
 * {@code cadvisor.source} changes no query: cAdvisor's family name, {@code namespace}, {@code pod},
 * {@code interface} (and any further cAdvisor label the kubelet sends), plus {@code node},
 * {@code zone}, {@code workload} and {@code workload_kind} from the metadata index. A pod the index
 * does not know (yet) gets {@code workload=<pod name>} and {@code workload_kind=Pod}, as a bare pod would.
 */
final class PodSeriesLabels {
    static final String NAMESPACE = "namespace";
    static final String POD = "pod";
    static final String INTERFACE = "interface";

    private final ClusterMetadata metadata;

    PodSeriesLabels(ClusterMetadata metadata) {
        this.metadata = metadata;
    }

    /** A builder with the family name and the pod's labels; the caller adds interface and extras. */
    Labels.Builder builder(NetworkFamily family, String namespace, String pod) {
        PodInfo info = metadata.localPod(namespace, pod);
        return Labels.builder(family.metricName())
                .add(NAMESPACE, namespace)
                .add(POD, pod)
                .add("node", metadata.nodeName())
                .add("zone", metadata.nodeZone())
                .add("workload", info == null ? pod : info.workload())
                .add("workload_kind", info == null ? "Pod" : info.workloadKind());
    }

    /** Whether a label of this name is set by {@link #builder} and must not be taken from the source. */
    static boolean isOwnLabel(String name) {
        return switch (name) {
            case NAMESPACE, POD, "node", "zone", "workload", "workload_kind" -> true;
            default -> false;
        };
    }
}
