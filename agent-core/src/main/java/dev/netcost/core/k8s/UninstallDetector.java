package dev.netcost.core.k8s;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells, at shutdown, a DaemonSet pod that is going away for good from one that will be replaced:
 * {@code helm uninstall} (or {@code kubectl delete daemonset}) deletes the DaemonSet first, then the
 * garbage collector deletes its pods, so a pod whose owning DaemonSet is gone or is being deleted
 * will have no successor on this node. A
 * rolling update, a restart or an eviction leaves the DaemonSet in place. Two GETs (the pod, then
 * the DaemonSet); when the answer cannot be had it is "not removed", so nothing is cleaned up by mistake.
 */
final class UninstallDetector {
    private static final Logger LOG = LoggerFactory.getLogger(UninstallDetector.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String podName;

    UninstallDetector(KubernetesClient client, String namespace, String podName) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.podName = Objects.requireNonNull(podName, "podName");
    }

    boolean ownerDaemonSetRemoved() {
        try {
            Pod pod = client.pods().inNamespace(namespace).withName(podName).get();
            if (pod == null) {
                LOG.info("own pod {}/{} not found: treating this stop as a restart", namespace, podName);
                return false;
            }
            OwnerReference owner = pod.getMetadata().getOwnerReferences().stream()
                    .filter(o -> "DaemonSet".equals(o.getKind()) && Boolean.TRUE.equals(o.getController()))
                    .findFirst().orElse(null);
            if (owner == null) {
                LOG.info("pod {}/{} has no owning DaemonSet: treating this stop as a restart", namespace, podName);
                return false;
            }
            DaemonSet ds = client.apps().daemonSets().inNamespace(namespace).withName(owner.getName()).get();
            String state = ds == null ? "deleted"
                    : ds.getMetadata().getDeletionTimestamp() != null ? "being deleted"
                    : null;
            if (state == null) {
                // Also when a new DaemonSet of the same name replaced the owner: its pod may already be
                // running here with the same rules, which a cleanup would pull from under it.
                LOG.info("DaemonSet {}/{} is still there: restart or upgrade, keeping what this agent added to the node",
                        namespace, owner.getName());
                return false;
            }
            LOG.info("DaemonSet {}/{} is {}: this agent is leaving the node", namespace, owner.getName(), state);
            return true;
        } catch (KubernetesClientException e) {
            LOG.warn("cannot tell whether the DaemonSet is being deleted ({}); keeping what this agent added to the node"
                    + " (possible fixes: RBAC get on its own pod and DaemonSet)", e.getMessage());
            return false;
        }
    }
}
