package dev.netcost.webhook;

import java.util.List;
import java.util.Map;

/**
 * What is kept of one Service. Empty strings mean "not set".
 *
 * @param key                   namespace and name
 * @param type                  {@code spec.type} ({@code ClusterIP} when absent, as the API defaults it)
 * @param loadBalancerClass     {@code spec.loadBalancerClass}
 * @param externalTrafficPolicy {@code spec.externalTrafficPolicy}
 * @param loadBalancerType      {@code service.beta.kubernetes.io/aws-load-balancer-type}
 * @param targetType            {@code service.beta.kubernetes.io/aws-load-balancer-nlb-target-type}
 * @param scheme                {@code service.beta.kubernetes.io/aws-load-balancer-scheme}
 * @param loadBalancerName      {@code service.beta.kubernetes.io/aws-load-balancer-name}
 * @param ports                 {@code spec.ports}
 * @param labels                values of the allow-listed labels, in allow-list order ("" when absent)
 * @param hostnames             {@code status.loadBalancer.ingress[].hostname} (type LoadBalancer)
 * @param selector              {@code spec.selector}, sorted by label; empty when absent (endpoints managed by hand)
 */
record ServiceState(ObjectKey key, String type, String loadBalancerClass, String externalTrafficPolicy,
                    String loadBalancerType, String targetType, String scheme, String loadBalancerName,
                    List<Port> ports, List<String> labels, List<String> hostnames, Map<String, String> selector) {

    /** One {@code spec.ports} item; {@code targetPort} is a number or a container port name. */
    record Port(String name, String protocol, int port, String targetPort, int nodePort) {
    }
}
