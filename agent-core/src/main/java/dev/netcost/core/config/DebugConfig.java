package dev.netcost.core.config;

/**
 * The node-level debug HTTP endpoint.
 *
 * @param enabled {@code debug.enabled}, default true
 * @param listen  {@code debug.listen}, default 127.0.0.1:9808
 * @param pages   {@code debug.pages}: whether {@code /debug/*} is served, default true
 * @param pagesLoopbackOnly {@code debug.pagesLoopbackOnly}: serve {@code /debug/*} to loopback clients only
 *                (403 to others), so a node agent listening on the node's address shows its series and
 *                configuration to {@code kubectl port-forward} but not to the VPC; default false
 */
public record DebugConfig(boolean enabled, HostPort listen, boolean pages, boolean pagesLoopbackOnly) {
    public static final DebugConfig DEFAULT = new DebugConfig(true, new HostPort("127.0.0.1", 9808), true, false);
}
