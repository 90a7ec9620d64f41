package dev.netcost.core.k8s;

import java.util.Locale;

/** An AWS Elastic Load Balancing v2 load balancer's type: the {@code load_balancer_type} label. */
public enum LoadBalancerType {
    /** An Application Load Balancer (the AWS Load Balancer Controller's Ingress target). */
    APPLICATION("application"),
    /** A Network Load Balancer (a Service of type LoadBalancer under the controller). */
    NETWORK("network");

    private final String label;

    LoadBalancerType(String label) {
        this.label = label;
    }

    /** The value of the {@code load_balancer_type} label, as AWS spells the type. */
    public String label() {
        return label;
    }

    /** The type spelled as in the label ({@code application}, {@code network}), or null. */
    public static LoadBalancerType fromLabel(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (LoadBalancerType type : values()) {
            if (type.label.equals(t)) {
                return type;
            }
        }
        return null;
    }
}
