package dev.netcost.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reduces Ingress, Service, IngressClass and IngressClassParams objects (as JSON trees, from an
 * admission review or a list) to the state netcost keeps. Tolerant: a field of the wrong type counts
 * as absent, so a strange object never fails a review; an object without a name gives null.
 *
 * <p>Values with few distinct values across a cluster (classes, schemes, paths, ports, label values)
 * are interned so that fifty thousand Ingresses do not hold fifty thousand copies of {@code "ip"}.
 */
final class ResourceParser {
    static final String INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    static final String ALB = "alb.ingress.kubernetes.io/";
    static final String NLB = "service.beta.kubernetes.io/aws-load-balancer-";
    /** Every annotation this class reads; a review's other annotations are not even parsed. */
    static final List<String> ANNOTATIONS = List.of(INGRESS_CLASS_ANNOTATION, ALB + "group.name", ALB + "group.order",
            ALB + "scheme", ALB + "target-type", ALB + "load-balancer-name", ALB + "listen-ports", NLB + "scheme",
            NLB + "internal", NLB + "type", NLB + "nlb-target-type", NLB + "name");

    private final List<String> ingressLabels;
    private final List<String> serviceLabels;

    ResourceParser(List<String> ingressLabels, List<String> serviceLabels) {
        this.ingressLabels = List.copyOf(ingressLabels);
        this.serviceLabels = List.copyOf(serviceLabels);
    }

    /**
     * What this class reads of an Ingress, Service, IngressClass or IngressClassParams: name, namespace,
     * resourceVersion, the {@link #ANNOTATIONS}, the allow-listed labels, {@code spec}, and of
     * {@code status} only the load balancers' host names ({@code status.loadBalancer.ingress[].hostname},
     * which join an object to its load balancer). Everything else, {@code managedFields} and a
     * {@code last-applied-configuration} annotation above all, is skipped while a review is parsed.
     */
    JsonFieldFilter recordedFields() {
        List<String> labelKeys = new ArrayList<>(ingressLabels);
        labelKeys.addAll(serviceLabels);
        JsonFieldFilter metadata = JsonFieldFilter.builder()
                .all("name", "namespace", "resourceVersion")
                .field("annotations", JsonFieldFilter.builder().all(ANNOTATIONS.toArray(new String[0])).build())
                .field("labels", JsonFieldFilter.builder().all(labelKeys.toArray(new String[0])).build())
                .build();
        JsonFieldFilter loadBalancer = JsonFieldFilter.builder()
                .field("ingress", JsonFieldFilter.builder().all("hostname").build()).build();
        return JsonFieldFilter.builder()
                .field("metadata", metadata)
                .all("spec")
                .field("status", JsonFieldFilter.builder().field("loadBalancer", loadBalancer).build())
                .build();
    }

    List<String> ingressLabelKeys() {
        return ingressLabels;
    }

    List<String> serviceLabelKeys() {
        return serviceLabels;
    }

    /** The key of {@code object}, the namespace falling back to {@code namespace}; null without a name. */
    static ObjectKey key(JsonNode object, String namespace) {
        JsonNode meta = object.path("metadata");
        String name = text(meta.path("name"));
        if (name.isEmpty()) {
            return null;
        }
        String ns = text(meta.path("namespace"));
        return new ObjectKey(ns.isEmpty() ? namespace : ns, name);
    }

    /** {@code metadata.resourceVersion} as a number, or -1 when absent or not numeric. */
    static long resourceVersion(JsonNode object) {
        String rv = text(object.path("metadata").path("resourceVersion"));
        if (rv.isEmpty() || rv.length() > 18) {
            return -1;
        }
        for (int i = 0; i < rv.length(); i++) {
            if (rv.charAt(i) < '0' || rv.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(rv);
    }

    IngressState ingress(JsonNode object, String namespace) {
        ObjectKey key = key(object, namespace);
        if (key == null) {
            return null;
        }
        JsonNode meta = object.path("metadata");
        JsonNode ann = meta.path("annotations");
        JsonNode spec = object.path("spec");
        String cls = text(spec.path("ingressClassName"));
        if (cls.isEmpty()) {
            cls = text(ann.path(INGRESS_CLASS_ANNOTATION));
        }
        List<IngressState.Backend> backends = new ArrayList<>();
        JsonNode def = spec.has("defaultBackend") ? spec.path("defaultBackend") : spec.path("backend");
        boolean other = addBackend(backends, "", "", "", def);
        for (JsonNode rule : spec.path("rules")) {
            String host = intern(text(rule.path("host")));
            for (JsonNode p : rule.path("http").path("paths")) {
                other |= addBackend(backends, host, intern(text(p.path("path"))), intern(text(p.path("pathType"))),
                        p.path("backend"));
            }
        }
        return new IngressState(key, intern(cls), intern(text(ann.path(ALB + "group.name"))),
                intern(text(ann.path(ALB + "group.order"))), intern(text(ann.path(ALB + "scheme"))),
                intern(text(ann.path(ALB + "target-type"))), intern(text(ann.path(ALB + "load-balancer-name"))),
                intern(text(ann.path(ALB + "listen-ports"))), List.copyOf(backends),
                labels(meta.path("labels"), ingressLabels), hostnames(object), other);
    }

    /**
     * networking.k8s.io/v1 ({@code service.name}, {@code service.port.number|name}) or v1beta1 shape;
     * true for a backend that is not a Service (a {@code resource}).
     */
    private static boolean addBackend(List<IngressState.Backend> out, String host, String path, String pathType,
                                   JsonNode backend) {
        String service;
        String port;
        JsonNode svc = backend.path("service");
        if (svc.isObject()) {
            service = text(svc.path("name"));
            JsonNode p = svc.path("port");
            port = text(p.path("number"));
            if (port.isEmpty()) {
                port = text(p.path("name"));
            }
        } else {
            service = text(backend.path("serviceName"));
            port = text(backend.path("servicePort"));
        }
        if (!service.isEmpty()) {
            out.add(new IngressState.Backend(host, path, pathType, service, intern(port)));
        }
        return service.isEmpty() && backend.path("resource").isObject();
    }

    ServiceState service(JsonNode object, String namespace) {
        ObjectKey key = key(object, namespace);
        if (key == null) {
            return null;
        }
        JsonNode meta = object.path("metadata");
        JsonNode ann = meta.path("annotations");
        JsonNode spec = object.path("spec");
        String type = text(spec.path("type"));
        List<ServiceState.Port> ports = new ArrayList<>();
        for (JsonNode p : spec.path("ports")) {
            ports.add(new ServiceState.Port(intern(text(p.path("name"))), intern(text(p.path("protocol"))),
                    p.path("port").asInt(0), intern(text(p.path("targetPort"))), p.path("nodePort").asInt(0)));
        }
        String scheme = text(ann.path(NLB + "scheme"));
        if (scheme.isEmpty() && "true".equals(text(ann.path(NLB + "internal")))) {
            scheme = "internal"; // the in-tree cloud provider's older annotation
        }
        return new ServiceState(key, intern(type.isEmpty() ? "ClusterIP" : type),
                intern(text(spec.path("loadBalancerClass"))), intern(text(spec.path("externalTrafficPolicy"))),
                intern(text(ann.path(NLB + "type"))), intern(text(ann.path(NLB + "nlb-target-type"))),
                intern(scheme), text(ann.path(NLB + "name")), List.copyOf(ports),
                labels(meta.path("labels"), serviceLabels), hostnames(object), selector(spec.path("selector")));
    }

    /** {@code spec.selector}: label → value, sorted; empty when absent or not a map of strings. */
    private static Map<String, String> selector(JsonNode selector) {
        if (!selector.isObject() || selector.isEmpty()) {
            return Map.of();
        }
        java.util.TreeMap<String, String> out = new java.util.TreeMap<>();
        for (java.util.Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                return Map.of(); // not what the API server accepts: nothing provable
            }
            out.put(intern(e.getKey()), intern(e.getValue().asText()));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    IngressClassState ingressClass(JsonNode object) {
        ObjectKey key = key(object, "");
        if (key == null) {
            return null;
        }
        JsonNode spec = object.path("spec");
        JsonNode params = spec.path("parameters");
        return new IngressClassState(key.name(), intern(text(spec.path("controller"))),
                intern(text(params.path("apiGroup"))), intern(text(params.path("kind"))), text(params.path("name")));
    }

    IngressClassParamsState ingressClassParams(JsonNode object) {
        ObjectKey key = key(object, "");
        if (key == null) {
            return null;
        }
        JsonNode spec = object.path("spec");
        return new IngressClassParamsState(key.name(), intern(text(spec.path("group").path("name"))),
                intern(text(spec.path("scheme"))));
    }

    /** {@code status.loadBalancer.ingress[].hostname}, in order, without empties and repeats. */
    private static List<String> hostnames(JsonNode object) {
        JsonNode ingress = object.path("status").path("loadBalancer").path("ingress");
        if (!ingress.isArray() || ingress.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(1);
        for (JsonNode i : ingress) {
            String h = text(i.path("hostname"));
            if (!h.isEmpty() && !out.contains(h)) {
                out.add(h);
            }
        }
        return List.copyOf(out);
    }

    private static List<String> labels(JsonNode labels, List<String> keys) {
        if (keys.isEmpty()) {
            return List.of();
        }
        String[] values = new String[keys.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = intern(text(labels.path(keys.get(i))));
        }
        return List.of(values);
    }

    /** A scalar as text; "" for absent, null, objects and arrays. */
    static String text(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isNumber() || n.isBoolean()) {
            return n.asText();
        }
        return "";
    }

    // String.intern: the JVM's string table is weak, so values no longer used are collected.
    private static String intern(String s) {
        return s.isEmpty() ? "" : s.intern();
    }
}
