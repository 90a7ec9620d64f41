package dev.netcost.webhook;

import java.io.InputStream;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The paths of the webhook server, without Netty types:
 * <ul>
 *   <li>{@code POST /validate}: AdmissionReview v1/v1beta1, always allowed</li>
 *   <li>{@code GET /healthz}: 200 while the process serves, 503 with the reason while it leads and its
 *       collection cycles have stopped (liveness)</li>
 *   <li>{@code GET /readyz}: 200 once serving with a certificate, 503 before and while stopping</li>
 *   <li>{@code GET /metrics}: the process's own meters, Prometheus text format</li>
 * </ul>
 * Anything else is 404; a known path with another method is 405.
 */
final class WebhookRoutes {
    enum Route {
        VALIDATE, HEALTHZ, READYZ, METRICS, NOT_FOUND, WRONG_METHOD_POST("POST"), WRONG_METHOD_GET("GET, HEAD");

        /** The {@code Allow} header of a 405; null for other routes. */
        final String allow;

        Route() {
            this(null);
        }

        Route(String allow) {
            this.allow = allow;
        }
    }

    private final AdmissionHandler admissions;
    private final BooleanSupplier ready;
    private final Supplier<String> liveness;
    private final Supplier<String> metrics;

    /** @param liveness null while the process works, else why it does not ({@code /healthz} then answers 503) */
    WebhookRoutes(AdmissionHandler admissions, BooleanSupplier ready, Supplier<String> liveness, Supplier<String> metrics) {
        this.admissions = Objects.requireNonNull(admissions, "admissions");
        this.ready = Objects.requireNonNull(ready, "ready");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Where a request goes; decided on the event loop, from the method and path only. */
    static Route route(String method, String path) {
        boolean get = method.equals("GET") || method.equals("HEAD");
        return switch (path) {
            case "/validate" -> method.equals("POST") ? Route.VALIDATE : Route.WRONG_METHOD_POST;
            case "/healthz" -> get ? Route.HEALTHZ : Route.WRONG_METHOD_GET;
            case "/readyz" -> get ? Route.READYZ : Route.WRONG_METHOD_GET;
            case "/metrics" -> get ? Route.METRICS : Route.WRONG_METHOD_GET;
            default -> Route.NOT_FOUND;
        };
    }

    /** The answer for {@code route}; {@code body} is read only by VALIDATE. Never throws. */
    WebhookResponse respond(Route route, String path, InputStream body) {
        return switch (route) {
            case VALIDATE -> admissions.handle(body);
            case HEALTHZ -> healthz();
            case READYZ -> ready.getAsBoolean() ? WebhookResponse.text(200, "ready")
                    : WebhookResponse.text(503, "not ready: the server is starting or stopping");
            case METRICS -> new WebhookResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            case WRONG_METHOD_POST -> WebhookResponse.text(405, "method not allowed: use POST");
            case WRONG_METHOD_GET -> WebhookResponse.text(405, "method not allowed: use GET");
            case NOT_FOUND -> WebhookResponse.text(404, "not found: " + abbreviate(path)
                    + " (paths: /validate, /healthz, /readyz, /metrics)");
        };
    }

    private WebhookResponse healthz() {
        String problem = liveness.get();
        return problem == null ? WebhookResponse.text(200, "ok") : WebhookResponse.text(503, "not live: " + problem);
    }

    private static String abbreviate(String s) {
        return s.length() <= 128 ? s : s.substring(0, 128) + "...";
    }
}
