package dev.netcost.webhook;

import java.util.List;

/**
 * What is kept of one Ingress: only the fields that decide which ALB it lands on and which Services
 * receive its traffic. Empty strings mean "not set".
 *
 * @param key              namespace and name
 * @param ingressClass     {@code spec.ingressClassName}, else the {@code kubernetes.io/ingress.class} annotation
 * @param groupName        {@code alb.ingress.kubernetes.io/group.name}
 * @param groupOrder       {@code alb.ingress.kubernetes.io/group.order}
 * @param scheme           {@code alb.ingress.kubernetes.io/scheme}
 * @param targetType       {@code alb.ingress.kubernetes.io/target-type}
 * @param loadBalancerName {@code alb.ingress.kubernetes.io/load-balancer-name}
 * @param listenPorts      {@code alb.ingress.kubernetes.io/listen-ports}, verbatim
 * @param backends         every rule path and the default backend
 * @param labels           values of the allow-listed labels, in allow-list order ("" when absent)
 * @param hostnames        {@code status.loadBalancer.ingress[].hostname}: the DNS names of the load balancer
 *                         the controller put it on, which name that load balancer
 * @param otherBackends    whether some backend is not a Service ({@code resource} backends), which
 *                         {@code backends} does not list
 */
record IngressState(ObjectKey key, String ingressClass, String groupName, String groupOrder, String scheme,
                    String targetType, String loadBalancerName, String listenPorts, List<Backend> backends,
                    List<String> labels, List<String> hostnames, boolean otherBackends) {

    /**
     * One rule path (or the default backend, with empty host, path and pathType) and the Service it sends to.
     *
     * @param port the Service port: a number, or a port name
     */
    record Backend(String host, String path, String pathType, String service, String port) {
    }
}
