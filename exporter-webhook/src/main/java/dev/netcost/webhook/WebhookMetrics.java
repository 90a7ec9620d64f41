package dev.netcost.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The webhook's own meters, on the agent's registry (served on {@code /metrics}):
 * <ul>
 *   <li>{@code netcost_agent_webhook_admissions_total{kind,operation,result}}; result is
 *       {@code recorded}, {@code deleted}, {@code dry_run}, {@code ignored} or {@code failed}</li>
 *   <li>{@code netcost_agent_webhook_malformed_reviews_total}: answered 400</li>
 *   <li>{@code netcost_agent_webhook_responses_total{code}}: every HTTP answer by status code</li>
 *   <li>{@code netcost_agent_webhook_admission_duration_seconds}: decoding and recording one review</li>
 *   <li>{@code netcost_agent_webhook_objects{kind}}: objects recorded now</li>
 *   <li>{@code netcost_agent_webhook_leader}: 1 while this replica writes series</li>
 *   <li>{@code netcost_agent_webhook_resyncs_total{result}}, {@code netcost_agent_webhook_tls_reloads_total{result}}</li>
 *   <li>{@code netcost_agent_webhook_certificate_checks_total{result}}: self-managed TLS rounds</li>
 *   <li>{@code netcost_agent_webhook_certificate_expiry_timestamp_seconds}: when the served certificate expires</li>
 *   <li>{@code netcost_agent_webhook_client_errors_total{reason}}: failures clients caused, see {@link ClientErrors}</li>
 *   <li>{@code netcost_agent_webhook_connections_shed_total{limit}}: connections closed or refused, and bodies
 *       refused, to stay within {@code connections} or {@code body_bytes}</li>
 *   <li>{@code netcost_agent_webhook_connections}, {@code netcost_agent_webhook_inflight_body_bytes}: held now</li>
 * </ul>
 */
final class WebhookMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> admissions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Counter> responses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> clientErrors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> shed = new ConcurrentHashMap<>();
    private final Counter malformed;
    private final Timer admissionDuration;

    WebhookMetrics(MeterRegistry registry, RecordedObjects objects, BooleanSupplier leader) {
        this.registry = registry;
        this.malformed = Counter.builder("netcost.agent.webhook.malformed.reviews")
                .description("Requests to /validate that were not an AdmissionReview (answered 400)").register(registry);
        this.admissionDuration = Timer.builder("netcost.agent.webhook.admission.duration")
                .description("Time to decode and record one AdmissionReview").register(registry);
        for (ObjectStore<?> store : List.of(objects.ingresses, objects.services, objects.ingressClasses,
                objects.ingressClassParams)) {
            Gauge.builder("netcost.agent.webhook.objects", store, ObjectStore::size).tag("kind", store.kind())
                    .description("Objects recorded now").register(registry);
        }
        Gauge.builder("netcost.agent.webhook.leader", leader, l -> l.getAsBoolean() ? 1 : 0)
                .strongReference(true) // the supplier is a lambda nobody else holds: Micrometer would only keep it weakly
                .description("1 while this replica is the one writing series").register(registry);
    }

    void admission(String kind, String operation, String result) {
        String k = kind + '\0' + operation + '\0' + result;
        admissions.computeIfAbsent(k, x -> Counter.builder("netcost.agent.webhook.admissions")
                .description("Admission reviews answered, by the object kind, operation and what was recorded")
                .tag("kind", kind).tag("operation", operation).tag("result", result).register(registry)).increment();
    }

    void malformed() {
        malformed.increment();
    }

    void response(int code) {
        responses.computeIfAbsent(code, c -> Counter.builder("netcost.agent.webhook.responses")
                .description("HTTP responses of the webhook server, by status code")
                .tag("code", Integer.toString(c)).register(registry)).increment();
    }

    void clientError(String reason) {
        clientErrors.computeIfAbsent(reason, r -> Counter.builder("netcost.agent.webhook.client.errors")
                .description("Connections or requests that failed because of the client (TLS, not HTTP, dropped mid-body,"
                        + " missed deadlines), by reason")
                .tag("reason", r).register(registry)).increment();
    }

    void shed(String limit) {
        shed.computeIfAbsent(limit, l -> Counter.builder("netcost.agent.webhook.connections.shed")
                .description("Connections closed or refused, and bodies refused, to stay within webhook.maxConnections"
                        + " (connections) or webhook.maxInFlightBodyBytes (body_bytes)")
                .tag("limit", l).register(registry)).increment();
    }

    /** Gauges of what the clients hold now. */
    void limits(ClientLimits limits) {
        Gauge.builder("netcost.agent.webhook.connections", limits, ClientLimits::connections)
                .description("Open connections to the webhook server").register(registry);
        Gauge.builder("netcost.agent.webhook.inflight.body", limits, ClientLimits::bytes).baseUnit("bytes")
                .description("Request-body bytes held now (being received, queued or decoded)").register(registry);
    }

    void admissionNanos(long nanos) {
        admissionDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void resync(boolean ok) {
        Counter.builder("netcost.agent.webhook.resyncs").description("Full lists from the Kubernetes API, by result")
                .tag("result", ok ? "success" : "failure").register(registry).increment();
    }

    void tlsReload(boolean ok) {
        Counter.builder("netcost.agent.webhook.tls.reloads")
                .description("Reloads of the serving certificate after its files changed, by result")
                .tag("result", ok ? "success" : "failure").register(registry).increment();
    }

    void certificateCheck(boolean ok) {
        Counter.builder("netcost.agent.webhook.certificate.checks")
                .description("Self-managed TLS rounds (Secret, caBundle, files), by result")
                .tag("result", ok ? "success" : "failure").register(registry).increment();
    }

    /** The served certificate's expiry, NaN while none is served. */
    void certificateExpiry(java.util.function.Supplier<java.security.cert.X509Certificate> served) {
        Gauge.builder("netcost.agent.webhook.certificate.expiry.timestamp", served, s -> {
            java.security.cert.X509Certificate c = s.get();
            return c == null ? Double.NaN : c.getNotAfter().getTime() / 1000.0;
        }).strongReference(true) // the supplier is a lambda nobody else holds: Micrometer would only keep it weakly
                .baseUnit("seconds").description("When the served certificate expires, in seconds since the epoch")
                .register(registry);
    }
}
