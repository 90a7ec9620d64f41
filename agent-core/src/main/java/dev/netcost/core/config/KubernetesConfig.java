package dev.netcost.core.config;

/**
 * @param enabled {@code kubernetes.enabled}: take pod and zone metadata from the API (default true);
 *                false uses the static {@code pods[]} list and {@code zone}
 */
public record KubernetesConfig(boolean enabled) {
    public static final KubernetesConfig DEFAULT = new KubernetesConfig(true);
}
