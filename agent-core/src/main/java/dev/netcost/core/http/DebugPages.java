package dev.netcost.core.http;

import dev.netcost.core.Version;
import dev.netcost.core.model.Sample;
import dev.netcost.core.model.TextFormat;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages of the node-level debug endpoint, by path. Plain Java, no Netty types:
 * {@link DebugRequestHandler} deals with HTTP and calls {@link #respond} off the event loop, because
 * rendering {@code /metrics} or the series page takes real work.
 *
 * <ul>
 *   <li>{@code /healthz}: 200 while the process serves HTTP and its collection cycles complete, 503
 *   with the reason when they have stopped (liveness)</li>
 *   <li>{@code /readyz}: 200 once the agent reports ready, 503 before (readiness)</li>
 *   <li>{@code /metrics}: the agent's own meters in the Prometheus text format</li>
 *   <li>{@code /debug/series}: the latest cycle's samples in the Prometheus text format</li>
 *   <li>{@code /debug/config}: the effective configuration, secrets redacted</li>
 *   <li>{@code /}: an index of the above</li>
 * </ul>
 * {@code /debug/*} answers 404 when {@code debug.pages} is false.
 */
public final class DebugPages {
    private static final Logger log = LoggerFactory.getLogger(DebugPages.class);
    private static final String DEBUG_PREFIX = "/debug/";

    private final Supplier<List<Sample>> latestSamples;
    private final BooleanSupplier ready;
    private final Supplier<String> effectiveConfig;
    private final PrometheusMeterRegistry registry;
    private final boolean pagesEnabled;
    private final boolean pagesLoopbackOnly;
    private final Supplier<String> liveness;

    /**
     * @param latestSamples   the samples of the latest collection cycle
     * @param ready           whether the agent is ready (informers synced, first cycle done)
     * @param effectiveConfig the effective configuration as YAML, already redacted
     * @param registry        the agent's own meters
     * @param pagesEnabled    whether {@code /debug/*} is served ({@code debug.pages})
     */
    public DebugPages(Supplier<List<Sample>> latestSamples, BooleanSupplier ready, Supplier<String> effectiveConfig,
                      PrometheusMeterRegistry registry, boolean pagesEnabled) {
        this(latestSamples, ready, effectiveConfig, registry, pagesEnabled, false, () -> null);
    }

    /**
     * @param pagesLoopbackOnly answer {@code /debug/*} with 403 to clients that are not on a loopback
     *                          address ({@code debug.pagesLoopbackOnly})
     * @param liveness          null while the process works, else why it does not (then {@code /healthz}
     *                          answers 503 with that text, so that Kubernetes restarts it)
     */
    public DebugPages(Supplier<List<Sample>> latestSamples, BooleanSupplier ready, Supplier<String> effectiveConfig,
                      PrometheusMeterRegistry registry, boolean pagesEnabled, boolean pagesLoopbackOnly,
                      Supplier<String> liveness) {
        this.pagesLoopbackOnly = pagesLoopbackOnly;
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.latestSamples = Objects.requireNonNull(latestSamples, "latestSamples");
        this.ready = Objects.requireNonNull(ready, "ready");
        this.effectiveConfig = Objects.requireNonNull(effectiveConfig, "effectiveConfig");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.pagesEnabled = pagesEnabled;
    }

    /** The page at {@code path} for a loopback client. */
    DebugResponse respond(String path) {
        return respond(path, true);
    }

    /**
     * The page at {@code path} (already without a query string) for a client on a loopback address or
     * not. Never throws: a failing page is a 500.
     */
    DebugResponse respond(String path, boolean loopbackClient) {
        if (path.startsWith(DEBUG_PREFIX) && !pagesEnabled) {
            return notFound(path);
        }
        if (path.startsWith(DEBUG_PREFIX) && pagesLoopbackOnly && !loopbackClient) {
            return DebugResponse.text(403, "forbidden: " + path + " is served to loopback clients only"
                    + " (debug.pagesLoopbackOnly); use kubectl port-forward, or curl on the node itself");
        }
        try {
            return switch (path) {
                case "/" -> DebugResponse.text(200, index());
                case "/healthz" -> healthz();
                case "/readyz" -> ready.getAsBoolean()
                        ? DebugResponse.text(200, "ready")
                        : DebugResponse.text(503, "not ready: start-up has not completed "
                                + "(Kubernetes metadata not synced or no collection cycle finished yet)");
                case "/metrics" -> new DebugResponse(200, TextFormat.CONTENT_TYPE, registry.scrape());
                case "/debug/series" -> new DebugResponse(200, TextFormat.CONTENT_TYPE,
                        TextFormat.toText(latestSamples.get()));
                case "/debug/config" -> DebugResponse.text(200, effectiveConfig.get());
                default -> notFound(path);
            };
        } catch (RuntimeException e) {
            log.warn("debug page {} failed; this is a bug, please report it", path, e);
            return DebugResponse.text(500, "internal error rendering " + path + ", see the agent log");
        }
    }

    private DebugResponse healthz() {
        String problem = liveness.get();
        return problem == null ? DebugResponse.text(200, "ok") : DebugResponse.text(503, "not live: " + problem);
    }

    private String index() {
        StringBuilder sb = new StringBuilder("netcost ").append(Version.get()).append('\n')
                .append("/healthz        liveness\n")
                .append("/readyz         readiness\n")
                .append("/metrics        the agent's own metrics (Prometheus text format)\n");
        if (pagesEnabled) {
            sb.append("/debug/series   the latest cycle's samples (Prometheus text format)\n")
                    .append("/debug/config   the effective configuration, secrets redacted\n");
        }
        return sb.toString();
    }

    private static DebugResponse notFound(String path) {
        return DebugResponse.text(404, "not found: " + path + " (see / for the pages)");
    }
}
