package dev.netcost.report.measure;

import java.util.Objects;

/**
 * One pod as the netcost series label it. {@code cluster} is the external label ("" without one), so
 * pods of two clusters written to one Prometheus stay apart.
 */
public record PodRef(String cluster, String namespace, String pod, String workload, String workloadKind,
                     String node, String zone) {
    public PodRef {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(pod, "pod");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(workloadKind, "workloadKind");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(zone, "zone");
    }
}
