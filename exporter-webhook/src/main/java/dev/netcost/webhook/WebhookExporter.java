package dev.netcost.webhook;

import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.model.LabelNameSanitizer;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emits the recorded objects every cycle as the info series of the contract (value 1):
 * <ul>
 *   <li>{@code netcost_ingress_info{namespace,ingress,ingress_class,alb_group,load_balancer_name,scheme,target_type}}</li>
 *   <li>{@code netcost_ingress_backend{namespace,ingress,alb_group,host,path,service,service_port}}</li>
 *   <li>{@code netcost_service_info{namespace,service,type,load_balancer_type,target_type,scheme}}</li>
 *   <li>{@code netcost_ingress_labels} / {@code netcost_service_labels}{@code {namespace,ingress|service,label_*}},
 *       only when labels are allow-listed for the kind</li>
 *   <li>{@code netcost_load_balancer_info{load_balancer,load_balancer_type,load_balancer_id,alb_group,scheme,dns_name}}:
 *       one series per load balancer of this cluster — discovered ({@code aws.enabled}) or declared in
 *       {@code loadBalancers[]} — and per distinct (ALB group, scheme, DNS name) of the Ingresses and Services whose
 *       {@code status.loadBalancer.ingress[].hostname} names it; {@code alb_group} only for Ingresses.
 *       {@code scheme}: {@code internal} when the DNS name starts with {@code internal-}, else for an ALB
 *       {@code internet-facing}, for an NLB the Service's scheme annotation (left out when absent)</li>
 * </ul>
 * A deleted object is simply no longer emitted: the pipeline ends its series with stale markers.
 *
 * <p>{@code alb_group} is the ALB the Ingress lands on: the group of its class's IngressClassParams,
 * else its {@code group.name} annotation, else {@code <namespace>/<name>} — an Ingress without a group
 * gets an ALB of its own, and the slash, which group names cannot contain, says so.
 */
public final class WebhookExporter implements Exporter {
    static final String INGRESS_INFO = "netcost_ingress_info";
    static final String INGRESS_BACKEND = "netcost_ingress_backend";
    static final String SERVICE_INFO = "netcost_service_info";
    static final String INGRESS_LABELS = "netcost_ingress_labels";
    static final String SERVICE_LABELS = "netcost_service_labels";
    static final String LOAD_BALANCER_INFO = "netcost_load_balancer_info";

    private final RecordedObjects objects;
    private final String[] ingressLabelNames;
    private final String[] serviceLabelNames;
    private final WebhookRuntime runtime;

    WebhookExporter(RecordedObjects objects, ResourceParser parser, WebhookRuntime runtime) {
        this.objects = objects;
        this.ingressLabelNames = sanitized(parser.ingressLabelKeys());
        this.serviceLabelNames = sanitized(parser.serviceLabelKeys());
        this.runtime = runtime;
    }

    private static String[] sanitized(List<String> keys) {
        return keys.stream().map(LabelNameSanitizer::labelKey).toArray(String[]::new);
    }

    /** The server, lists and election behind this exporter; {@code netcost webhook} starts it. */
    public WebhookRuntime runtime() {
        return runtime;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public void collect(SampleConsumer out) {
        Map<String, IngressClassParamsState> paramsByClass = paramsByClass();
        Set<Labels> backends = new HashSet<>();
        for (ObjectStore.Recorded<IngressState> r : objects.ingresses.all()) {
            emitIngress(r.state(), paramsByClass.get(r.state().ingressClass()), backends, out);
        }
        for (ObjectStore.Recorded<ServiceState> r : objects.services.all()) {
            emitService(r.state(), out);
        }
        Map<String, LoadBalancer> discovered = runtime == null ? Map.of() : runtime.knownLoadBalancers();
        if (!discovered.isEmpty()) {
            emitLoadBalancers(discovered, paramsByClass, out);
        }
    }

    /** {@code netcost_load_balancer_info}: each known load balancer joined to what points at it. */
    // VisibleForTesting
    void emitLoadBalancers(Map<String, LoadBalancer> discovered, Map<String, IngressClassParamsState> paramsByClass,
                           SampleConsumer out) {
        Set<Labels> seen = new HashSet<>();
        for (ObjectStore.Recorded<IngressState> r : objects.ingresses.all()) {
            IngressState s = r.state();
            IngressClassParamsState params = paramsByClass.get(s.ingressClass());
            for (String h : s.hostnames()) {
                LoadBalancer lb = discovered.get(nameOrEmpty(h));
                if (lb != null) {
                    String scheme = params != null && !params.scheme().isEmpty() ? params.scheme() : s.scheme();
                    emitLoadBalancer(lb, albGroup(s, params), scheme, h, seen, out);
                }
            }
        }
        for (ObjectStore.Recorded<ServiceState> r : objects.services.all()) {
            for (String h : r.state().hostnames()) {
                LoadBalancer lb = discovered.get(nameOrEmpty(h));
                if (lb != null) {
                    emitLoadBalancer(lb, "", r.state().scheme(), h, seen, out);
                }
            }
        }
    }

    private static String nameOrEmpty(String hostname) {
        String n = LoadBalancerDiscovery.nameFromHostname(hostname);
        return n == null ? "" : n;
    }

    private static void emitLoadBalancer(LoadBalancer lb, String group, String annotatedScheme, String dnsName,
                                         Set<Labels> seen, SampleConsumer out) {
        String scheme;
        if (dnsName.toLowerCase(java.util.Locale.ROOT).startsWith("internal-")) {
            scheme = "internal";
        } else if (lb.type() == LoadBalancerType.APPLICATION) {
            scheme = "internet-facing";
        } else {
            scheme = annotatedScheme;
        }
        Labels l = Labels.of(LOAD_BALANCER_INFO, "load_balancer", lb.name(), "load_balancer_type", lb.type().label(),
                "load_balancer_id", lb.id(), "alb_group", group, "scheme", scheme, "dns_name", dnsName);
        if (seen.add(l)) {
            out.accept(l, 1);
        }
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Class name to the AWS IngressClassParams it points to, for classes that point to one we know. */
    private Map<String, IngressClassParamsState> paramsByClass() {
        Map<String, IngressClassParamsState> out = new HashMap<>();
        for (ObjectStore.Recorded<IngressClassState> r : objects.ingressClasses.all()) {
            IngressClassState c = r.state();
            if (c.hasAwsParams()) {
                IngressClassParamsState p = objects.ingressClassParams.get(new ObjectKey("", c.parametersName()));
                if (p != null) {
                    out.put(c.name(), p);
                }
            }
        }
        return out;
    }

    /** The ALB group key of {@code s}, see the class comment. */
    static String albGroup(IngressState s, IngressClassParamsState params) {
        if (params != null && !params.groupName().isEmpty()) {
            return params.groupName();
        }
        return s.groupName().isEmpty() ? s.key().namespace() + "/" + s.key().name() : s.groupName();
    }

    private void emitIngress(IngressState s, IngressClassParamsState params, Set<Labels> backends, SampleConsumer out) {
        String ns = s.key().namespace();
        String name = s.key().name();
        String group = albGroup(s, params);
        String scheme = params != null && !params.scheme().isEmpty() ? params.scheme() : s.scheme();
        out.accept(Labels.of(INGRESS_INFO, "namespace", ns, "ingress", name, "ingress_class", s.ingressClass(),
                "alb_group", group, "load_balancer_name", s.loadBalancerName(), "scheme", scheme,
                "target_type", s.targetType()), 1);
        backends.clear();
        for (IngressState.Backend b : s.backends()) {
            Labels l = Labels.of(INGRESS_BACKEND, "namespace", ns, "ingress", name, "alb_group", group,
                    "host", b.host(), "path", b.path(), "service", b.service(), "service_port", b.port());
            if (backends.add(l)) { // two paths differing only in pathType are one series
                out.accept(l, 1);
            }
        }
        if (ingressLabelNames.length > 0) {
            out.accept(labels(INGRESS_LABELS, "ingress", ns, name, ingressLabelNames, s.labels()), 1);
        }
    }

    private void emitService(ServiceState s, SampleConsumer out) {
        String ns = s.key().namespace();
        String name = s.key().name();
        String lbType = s.loadBalancerType().isEmpty() ? s.loadBalancerClass() : s.loadBalancerType();
        out.accept(Labels.of(SERVICE_INFO, "namespace", ns, "service", name, "type", s.type(),
                "load_balancer_type", lbType, "target_type", s.targetType(), "scheme", s.scheme()), 1);
        if (serviceLabelNames.length > 0) {
            out.accept(labels(SERVICE_LABELS, "service", ns, name, serviceLabelNames, s.labels()), 1);
        }
    }

    private static Labels labels(String metric, String nameLabel, String ns, String name, String[] labelNames,
                                 List<String> values) {
        Labels.Builder b = Labels.builder(metric).add("namespace", ns).add(nameLabel, name);
        for (int i = 0; i < labelNames.length && i < values.size(); i++) {
            b.add(labelNames[i], values.get(i));
        }
        return b.build();
    }
}
