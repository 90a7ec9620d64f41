package dev.netcost.webhook;

/**
 * One IngressClass (cluster-scoped) and the parameters object it points to, which for the AWS Load
 * Balancer Controller is an {@code elbv2.k8s.aws} IngressClassParams that may fix the group.
 *
 * @param name             the class name
 * @param controller       {@code spec.controller}, e.g. {@code ingress.k8s.aws/alb}
 * @param parametersGroup  {@code spec.parameters.apiGroup}
 * @param parametersKind   {@code spec.parameters.kind}
 * @param parametersName   {@code spec.parameters.name}
 */
record IngressClassState(String name, String controller, String parametersGroup, String parametersKind,
                         String parametersName) {
    static final String AWS_PARAMS_GROUP = "elbv2.k8s.aws";
    static final String AWS_PARAMS_KIND = "IngressClassParams";

    /** Whether the parameters are an AWS Load Balancer Controller IngressClassParams. */
    boolean hasAwsParams() {
        return AWS_PARAMS_GROUP.equals(parametersGroup) && AWS_PARAMS_KIND.equals(parametersKind)
                && !parametersName.isEmpty();
    }
}
