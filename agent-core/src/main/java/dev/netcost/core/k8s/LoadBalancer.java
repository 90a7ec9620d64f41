package dev.netcost.core.k8s;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One AWS load balancer as the address book knows it: the private IPs of its ENIs, each in the zone of
 * its ENI. An ALB (and an NLB without client-IP preservation) connects to IP targets from these
 * addresses, which is how a pod's traffic with it is recognised in the kernel.
 *
 * @param name      the AWS load balancer name, e.g. {@code k8s-sharedalb-1a2b3c4d5e} (the
 *                  {@code load_balancer} label)
 * @param type      application or network
 * @param id        the AWS id, the last part of the ARN ({@code 50dc6c495c0c9188}); "" when not known
 * @param addresses the ENIs' private addresses; never empty
 * @param targets   the pods it sends traffic to, or {@link Targets#UNKNOWN} (every pod may be one)
 */
public record LoadBalancer(String name, LoadBalancerType type, String id, List<Address> addresses, Targets targets) {
    public LoadBalancer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(targets, "targets");
        id = id == null ? "" : id;
        addresses = List.copyOf(addresses);
    }

    /** A load balancer whose targets are not known: every pod may be one. */
    public LoadBalancer(String name, LoadBalancerType type, String id, List<Address> addresses) {
        this(name, type, id, addresses, Targets.UNKNOWN);
    }

    /** This load balancer with other addresses (same name, type, id and targets). */
    public LoadBalancer withAddresses(List<Address> other) {
        return new LoadBalancer(name, type, id, other, targets);
    }

    /** This load balancer with other targets. */
    public LoadBalancer withTargets(Targets other) {
        return new LoadBalancer(name, type, id, addresses, other);
    }

    /**
     * One ENI's private address.
     *
     * @param ip   an IPv4 or IPv6 literal
     * @param zone the ENI's availability zone, e.g. {@code us-east-2a}; "" when not known
     */
    public record Address(String ip, String zone) {
        public Address {
            Objects.requireNonNull(ip, "ip");
            zone = zone == null ? "" : zone;
        }
    }

    /**
     * The pods a load balancer sends traffic to, when they are known: the pods matched by any of
     * {@link #selected()}. {@link #UNKNOWN} is a state of its own, not an empty list: a load balancer
     * whose targets are unknown may send to every pod, one whose targets are known and empty sends to none.
     *
     * @param known    whether the targets are known
     * @param selected the groups of target pods, sorted and distinct; empty when not known
     */
    public record Targets(boolean known, List<Target> selected) {
        /** Targets not known: every pod is counted as a possible target. */
        public static final Targets UNKNOWN = new Targets(false, List.of());

        public Targets {
            List<Target> sorted = new ArrayList<>(new java.util.LinkedHashSet<>(selected));
            sorted.sort(Target.ORDER);
            selected = List.copyOf(sorted);
            if (!known && !selected.isEmpty()) {
                throw new IllegalArgumentException("unknown targets cannot list pods: " + selected);
            }
        }

        /** Known targets: the pods matched by any of these (none for an empty collection). */
        public static Targets of(Collection<Target> selected) {
            return new Targets(true, List.copyOf(selected));
        }

        /** Whether the pod may receive traffic from the load balancer: always when the targets are unknown. */
        public boolean includes(PodInfo pod) {
            if (!known) {
                return true;
            }
            for (Target t : selected) {
                if (t.matches(pod)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One group of target pods: those of {@code namespace} carrying every label of {@code selector}
     * (a Service's equality-based {@code spec.selector}; empty: every pod of the namespace).
     */
    public record Target(String namespace, Map<String, String> selector) {
        /** By namespace, then by the selector's pairs in key order. */
        static final Comparator<Target> ORDER = Comparator.comparing(Target::namespace).thenComparing(Target::selector,
                Target::compareSelectors);

        public Target {
            Objects.requireNonNull(namespace, "namespace");
            selector = Collections.unmodifiableMap(new TreeMap<>(selector));
        }

        /** Whether the pod is in the namespace and carries every pair of the selector. */
        public boolean matches(PodInfo pod) {
            if (!namespace.equals(pod.namespace())) {
                return false;
            }
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (!e.getValue().equals(pod.labels().get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }

        private static int compareSelectors(Map<String, String> a, Map<String, String> b) {
            Iterator<Map.Entry<String, String>> i = a.entrySet().iterator();
            Iterator<Map.Entry<String, String>> j = b.entrySet().iterator();
            while (i.hasNext() && j.hasNext()) {
                Map.Entry<String, String> x = i.next();
                Map.Entry<String, String> y = j.next();
                int c = x.getKey().compareTo(y.getKey());
                if (c == 0) {
                    c = x.getValue().compareTo(y.getValue());
                }
                if (c != 0) {
                    return c;
                }
            }
            return Boolean.compare(i.hasNext(), j.hasNext());
        }
    }
}
