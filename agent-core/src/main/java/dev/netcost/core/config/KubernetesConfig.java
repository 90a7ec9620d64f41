package dev.netcost.core.config;

/**
 * @param enabled      {@code kubernetes.enabled}: take pod and zone metadata from the API (default true);
 *                     false uses the static {@code pods[]} list and {@code zone}
 * @param podName      {@code kubernetes.podName}: the agent's own pod (default: $POD_NAME, else empty), to
 *                     tell at shutdown whether its DaemonSet is being deleted
 * @param podNamespace {@code kubernetes.podNamespace}: that pod's namespace (default: $POD_NAMESPACE, else empty)
 */
public record KubernetesConfig(boolean enabled, String podName, String podNamespace) {
    public static final KubernetesConfig DEFAULT = new KubernetesConfig(true, "", "");

    /** Whether the agent knows its own pod. */
    public boolean knowsOwnPod() {
        return !podName.isEmpty() && !podNamespace.isEmpty();
    }
}
