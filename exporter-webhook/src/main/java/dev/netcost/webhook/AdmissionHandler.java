package dev.netcost.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.netcost.core.log.ThrottledLogger;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BiFunction;
import org.slf4j.LoggerFactory;

/**
 * Answers one {@code POST /validate} body: decodes the review, records what it says, and allows it.
 * No Netty types, so that tests, the fuzzer and the benchmark call it directly.
 *
 * <p>It never denies: a review that can be answered gets {@code allowed: true} with its uid, also when
 * recording throws. Dry runs are answered and not recorded; kinds other than Ingress, Service,
 * IngressClass and IngressClassParams are allowed and ignored.
 */
final class AdmissionHandler {
    private final AdmissionReviewDecoder decoder;
    private final ResourceParser parser;
    private final RecordedObjects objects;
    private final WebhookMetrics metrics;
    private final ThrottledLogger log;

    AdmissionHandler(ResourceParser parser, RecordedObjects objects, WebhookMetrics metrics, Clock clock) {
        this.parser = parser;
        this.decoder = new AdmissionReviewDecoder(parser.recordedFields());
        this.objects = objects;
        this.metrics = metrics;
        this.log = new ThrottledLogger(LoggerFactory.getLogger(AdmissionHandler.class), clock, Duration.ofMinutes(1));
    }

    /** The HTTP answer to one request body. Never throws. */
    WebhookResponse handle(InputStream body) {
        long start = System.nanoTime();
        AdmissionRequest req;
        try {
            req = decoder.decode(body);
        } catch (MalformedReviewException e) {
            metrics.malformed();
            log.warn("malformed", "answered 400 to a request that is not an AdmissionReview: {} (possible fixes:"
                    + " check that only the API server calls this endpoint)", e.getMessage());
            return WebhookResponse.text(400, "bad request: " + e.getMessage());
        }
        String kind = kindLabel(req);
        String operation = operationLabel(req.operation());
        String result;
        try {
            result = record(req, kind);
        } catch (RuntimeException e) {
            result = "failed";
            log.warn("record-failed", "BUG: recording {} {} {}/{} failed; allowed it anyway", operation, kind,
                    req.namespace(), req.name(), e);
        }
        metrics.admission(kind, operation, result);
        metrics.admissionNanos(System.nanoTime() - start);
        return WebhookResponse.json(200, decoder.allowed(req.apiVersion(), req.uid()));
    }

    /** What the review changed: recorded, deleted, dry_run or ignored. */
    // VisibleForTesting
    String record(AdmissionRequest req, String kind) {
        if (req.dryRun()) {
            return "dry_run";
        }
        return switch (kind) {
            case "ingress" -> apply(req, objects.ingresses, parser::ingress);
            case "service" -> apply(req, objects.services, parser::service);
            case "ingressclass" -> apply(req, objects.ingressClasses, (o, ns) -> parser.ingressClass(o));
            case "ingressclassparams" -> apply(req, objects.ingressClassParams, (o, ns) -> parser.ingressClassParams(o));
            default -> "ignored";
        };
    }

    private <T> String apply(AdmissionRequest req, ObjectStore<T> store, BiFunction<JsonNode, String, T> parse) {
        boolean clusterScoped = store == objects.ingressClasses || store == objects.ingressClassParams;
        String namespace = clusterScoped ? "" : req.namespace();
        switch (req.operation()) {
            case "CREATE", "UPDATE" -> {
                T state = parse.apply(req.object(), namespace);
                if (state == null) {
                    return "ignored"; // no name yet (generateName): the next list records it
                }
                ObjectKey key = ResourceParser.key(req.object(), namespace);
                store.admit(clusterScoped ? new ObjectKey("", key.name()) : key, state,
                        ResourceParser.resourceVersion(req.object()));
                return "recorded";
            }
            case "DELETE" -> {
                ObjectKey key = ResourceParser.key(req.oldObject(), namespace);
                if (key == null) {
                    if (req.name().isEmpty()) {
                        return "ignored";
                    }
                    key = new ObjectKey(namespace, req.name());
                }
                store.admitDelete(clusterScoped ? new ObjectKey("", key.name()) : key,
                        ResourceParser.resourceVersion(req.oldObject()));
                return "deleted";
            }
            default -> {
                return "ignored";
            }
        }
    }

    /** A bounded label for the object kind; anything unexpected is {@code other}. */
    static String kindLabel(AdmissionRequest req) {
        String group = req.group();
        return switch (req.kind()) {
            case "Ingress" -> group.equals("networking.k8s.io") || group.equals("extensions") ? "ingress" : "other";
            case "Service" -> group.isEmpty() ? "service" : "other";
            case "IngressClass" -> group.equals("networking.k8s.io") ? "ingressclass" : "other";
            case "IngressClassParams" -> group.equals(IngressClassState.AWS_PARAMS_GROUP) ? "ingressclassparams" : "other";
            default -> "other";
        };
    }

    private static String operationLabel(String op) {
        return switch (op) {
            case "CREATE", "UPDATE", "DELETE", "CONNECT" -> op;
            default -> "other";
        };
    }
}
