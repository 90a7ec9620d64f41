package dev.netcost.core.config;

import java.nio.file.Path;
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
 * @param pid          a process in the pod's network namespace, for {@code cadvisor.source: procfs} (0: none)
 * @param netns        the pod's network namespace file, e.g. {@code /var/run/netns/web}, for the
 *                     procfs source when no PID is known (null: none)
 */
public record StaticPod(String namespace, String name, String ip, String workload, String workloadKind,
                        Map<String, String> labels, int pid, Path netns) {
    public StaticPod {
        labels = Map.copyOf(labels);
    }

    /** A pod without a known process or network namespace. */
    public StaticPod(String namespace, String name, String ip, String workload, String workloadKind,
                     Map<String, String> labels) {
        this(namespace, name, ip, workload, workloadKind, labels, 0, null);
    }
}
