package dev.netcost.core.k8s;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reduced state netcost keeps of a pod on this node.
 *
 * @param namespace    the pod's namespace
 * @param name         the pod's name
 * @param uid          the pod's UID ("" in standalone mode when not configured)
 * @param ips          pod IPs, IPv4 and IPv6 (empty until assigned); for hostNetwork pods, the node's
 * @param hostNetwork  whether the pod shares the node's network namespace
 * @param labels       the pod's Kubernetes labels
 * @param workload     the owning workload's name (see docs/metadata.md for the rules)
 * @param workloadKind Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet or Pod
 */
public record PodInfo(String namespace, String name, String uid, List<String> ips, boolean hostNetwork,
                      Map<String, String> labels, String workload, String workloadKind) {
    public PodInfo {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        uid = uid == null ? "" : uid;
        ips = List.copyOf(ips);
        labels = Map.copyOf(labels);
        workload = workload == null || workload.isEmpty() ? name : workload;
        workloadKind = workloadKind == null || workloadKind.isEmpty() ? "Pod" : workloadKind;
    }
}
