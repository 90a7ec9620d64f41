package dev.netcost.webhook;

/**
 * One AWS Load Balancer Controller IngressClassParams (cluster-scoped). When it sets a group or a
 * scheme, every Ingress of a class pointing to it gets that value and its own annotation is ignored.
 *
 * @param name      the object's name
 * @param groupName {@code spec.group.name}
 * @param scheme    {@code spec.scheme}
 */
record IngressClassParamsState(String name, String groupName, String scheme) {
}
