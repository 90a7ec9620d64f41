package dev.netcost.core.config;

import java.util.Map;

/**
 * A pod declared in the config ({@code pods[]}) for standalone use without an API server.
 *
 * @param namespace    required
 * @param name         required
 * @param ip           the pod IP, required
 * @param workload     owning workload name (default: the pod name)
 * @param workloadKind owning workload kind (default {@code Pod})
 * @param labels       the pod's Kubernetes labels
 */
public record StaticPod(String namespace, String name, String ip, String workload, String workloadKind,
                        Map<String, String> labels) {
    public StaticPod {
        labels = Map.copyOf(labels);
    }
}
