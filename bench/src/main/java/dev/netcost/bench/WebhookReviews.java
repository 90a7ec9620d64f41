package dev.netcost.bench;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * AdmissionReview v1 bodies shaped like the API server's (about 2 KiB for an Ingress, managedFields
 * included): the AWS Load Balancer Controller's 2048-game Ingress with a group, and a Service.
 */
final class WebhookReviews {
    private WebhookReviews() {
    }

    static byte[] ingressReview(String name, String namespace, boolean update) {
        String object = """
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"%1$s","namespace":"%2$s",
                "uid":"%3$s","resourceVersion":"%4$d","generation":1,"creationTimestamp":"2024-05-02T10:15:00Z",
                "labels":{"app.kubernetes.io/name":"%1$s","team":"%2$s"},
                "annotations":{"alb.ingress.kubernetes.io/scheme":"internet-facing","alb.ingress.kubernetes.io/target-type":"ip",
                "alb.ingress.kubernetes.io/group.name":"shared-alb","alb.ingress.kubernetes.io/group.order":"10",
                "alb.ingress.kubernetes.io/listen-ports":"[{\\"HTTP\\": 80}, {\\"HTTPS\\": 443}]"},
                "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"networking.k8s.io/v1",
                "time":"2024-05-02T10:15:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:annotations":{".":{},
                "f:alb.ingress.kubernetes.io/group.name":{},"f:alb.ingress.kubernetes.io/scheme":{}}},"f:spec":{"f:ingressClassName":{},
                "f:rules":{}}}}]},
                "spec":{"ingressClassName":"alb","rules":[{"host":"%1$s.example.com","http":{"paths":[
                {"path":"/","pathType":"Prefix","backend":{"service":{"name":"%1$s","port":{"number":80}}}},
                {"path":"/api","pathType":"Prefix","backend":{"service":{"name":"%1$s-api","port":{"name":"http"}}}}]}}]},
                "status":{"loadBalancer":{}}}""".formatted(name, namespace, UUID.randomUUID(), 1000 + name.hashCode() & 0xffff);
        return review("networking.k8s.io", "Ingress", "ingresses", name, namespace, update ? "UPDATE" : "CREATE",
                object, update ? object : "null");
    }

    static byte[] serviceReview(String name, String namespace) {
        String object = """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"%1$s","namespace":"%2$s","uid":"%3$s",
                "labels":{"app.kubernetes.io/name":"%1$s","team":"%2$s"},
                "annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"external",
                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":"ip"}},
                "spec":{"type":"ClusterIP","selector":{"app.kubernetes.io/name":"%1$s"},
                "ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"},
                {"name":"metrics","port":9090,"targetPort":"metrics","protocol":"TCP"}]}}""".formatted(name, namespace,
                UUID.randomUUID());
        return review("", "Service", "services", name, namespace, "CREATE", object, "null");
    }

    private static byte[] review(String group, String kind, String resource, String name, String namespace,
                                 String operation, String object, String oldObject) {
        return ("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"%s",
                "kind":{"group":"%s","version":"v1","kind":"%s"},"resource":{"group":"%s","version":"v1","resource":"%s"},
                "requestKind":{"group":"%s","version":"v1","kind":"%s"},"name":"%s","namespace":"%s","operation":"%s",
                "userInfo":{"username":"system:serviceaccount:kube-system:deployment-controller","groups":["system:serviceaccounts"]},
                "object":%s,"oldObject":%s,"dryRun":false,"options":{"kind":"%sOptions","apiVersion":"meta.k8s.io/v1"}}}"""
                .formatted(UUID.randomUUID(), group, kind, group, resource, group, kind, name, namespace, operation,
                        object, oldObject, operation.equals("CREATE") ? "Create" : "Update"))
                .getBytes(StandardCharsets.UTF_8);
    }
}
