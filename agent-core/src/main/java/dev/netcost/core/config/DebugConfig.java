package dev.netcost.core.config;

/**
 * The node-level debug HTTP endpoint.
 *
 * @param enabled {@code debug.enabled}, default true
 * @param listen  {@code debug.listen}, default 127.0.0.1:9808
 * @param pages   {@code debug.pages}: whether {@code /debug/*} is served, default true
 */
public record DebugConfig(boolean enabled, HostPort listen, boolean pages) {
    public static final DebugConfig DEFAULT = new DebugConfig(true, new HostPort("127.0.0.1", 9808), true);
}
