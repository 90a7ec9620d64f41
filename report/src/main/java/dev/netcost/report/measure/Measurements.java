package dev.netcost.report.measure;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the report measured in its window, hour by hour: per pod the byte counts of
 * {@link PodMeasure}, per load balancer its pods' traffic, the nodes (instance ids, zones), the load
 * balancers' AWS ids, allow-listed pod labels and the price book. Filled once by a {@link Builder},
 * then only read.
 */
public final class Measurements {
    private final Window window;
    private final List<PodRef> pods;
    private final Map<PodMeasure, List<double[]>> podBytes;
    private final Map<LoadBalancerRef, LoadBalancerTraffic> loadBalancers;
    private final Map<LoadBalancerRef, String> loadBalancerIds;
    private final Map<LoadBalancerRef, BitSet> loadBalancerHours;
    private final Map<NodeRef, NodeInfo> nodes;
    private final Map<List<String>, String> podLabels;
    private final PriceBook prices;

    private Measurements(Builder b) {
        this.window = b.window;
        this.pods = Collections.unmodifiableList(b.pods);
        this.podBytes = b.podBytes;
        this.loadBalancers = Collections.unmodifiableMap(b.loadBalancers);
        this.loadBalancerIds = Collections.unmodifiableMap(b.loadBalancerIds);
        this.loadBalancerHours = Collections.unmodifiableMap(b.loadBalancerHours);
        this.nodes = Collections.unmodifiableMap(b.nodes);
        this.podLabels = Collections.unmodifiableMap(b.podLabels);
        this.prices = b.prices;
    }

    public static Builder builder(Window window) {
        return new Builder(window);
    }

    public Window window() {
        return window;
    }

    /** Every pod seen, by index. */
    public List<PodRef> pods() {
        return pods;
    }

    /** The hourly bytes of pod {@code pod} in {@code measure}; null when it had none. */
    public double[] bytes(PodMeasure measure, int pod) {
        return podBytes.get(measure).get(pod);
    }

    public Map<LoadBalancerRef, LoadBalancerTraffic> loadBalancers() {
        return loadBalancers;
    }

    /** The AWS id (last part of the ARN) of each load balancer {@code netcost_load_balancer_info} named. */
    public Map<LoadBalancerRef, String> loadBalancerIds() {
        return loadBalancerIds;
    }

    /** The hours in which {@code netcost_load_balancer_info} named each load balancer. */
    public Map<LoadBalancerRef, BitSet> loadBalancerHours() {
        return loadBalancerHours;
    }

    public Map<NodeRef, NodeInfo> nodes() {
        return nodes;
    }

    /** The value of the grouping pod label for a pod, or null when the pod did not carry it. */
    public String podLabel(PodRef pod) {
        return podLabels.get(List.of(pod.cluster(), pod.namespace(), pod.pod()));
    }

    public PriceBook prices() {
        return prices;
    }

    /** Whether any traffic series had a sample in the window. */
    public boolean hasTraffic() {
        return !pods.isEmpty();
    }

    /** Whether netcost wrote anything in the window: traffic, nodes or load balancers. */
    public boolean hasData() {
        return !pods.isEmpty() || !nodes.isEmpty() || !loadBalancerHours.isEmpty();
    }

    /** Fills {@link Measurements} while the series are read. Not thread-safe. */
    public static final class Builder {
        private final Window window;
        private final int hours;
        private final List<PodRef> pods = new ArrayList<>();
        private final Map<PodRef, Integer> podIndex = new HashMap<>();
        private final Map<PodMeasure, List<double[]>> podBytes = new EnumMap<>(PodMeasure.class);
        private final Map<LoadBalancerRef, LoadBalancerTraffic> loadBalancers = new LinkedHashMap<>();
        private final Map<LoadBalancerRef, String> loadBalancerIds = new LinkedHashMap<>();
        private final Map<LoadBalancerRef, BitSet> loadBalancerHours = new LinkedHashMap<>();
        private final Map<NodeRef, NodeInfo> nodes = new LinkedHashMap<>();
        private final Map<List<String>, String> podLabels = new HashMap<>();
        private final PriceBook prices;

        private Builder(Window window) {
            this.window = window;
            this.hours = window.hours();
            this.prices = new PriceBook(hours);
            for (PodMeasure m : PodMeasure.values()) {
                podBytes.put(m, new ArrayList<>());
            }
        }

        public Window window() {
            return window;
        }

        /** One hour of {@code netcost_pod_network_bytes_total} (direction, class) for a pod. */
        public void podBytes(PodRef pod, String direction, String trafficClass, int hour, double value) {
            if (!(value > 0)) {
                return;
            }
            int p = index(pod);
            if ("cross_zone".equals(trafficClass)) {
                add(PodMeasure.CROSS_ZONE, p, hour, value);
            } else if ("internet".equals(trafficClass)) {
                add(PodMeasure.INTERNET, p, hour, value);
                if ("egress".equals(direction)) {
                    add(PodMeasure.INTERNET_EGRESS, p, hour, value);
                }
            }
        }

        /** One hour of {@code netcost_pod_load_balancer_bytes_total} (both directions) for a pod. */
        public void loadBalancerBytes(PodRef pod, LoadBalancerRef lb, String trafficClass, int hour, double value) {
            if (!(value > 0)) {
                return;
            }
            int p = index(pod);
            boolean crossZone = "cross_zone".equals(trafficClass);
            traffic(lb).addBytes(p, hour, value, crossZone);
            // An NLB's cross-zone transfer is billed like any inter-AZ transfer (the cost model).
            if (crossZone && "network".equals(lb.type())) {
                add(PodMeasure.CROSS_ZONE, p, hour, value);
            }
        }

        /** One hour of {@code netcost_pod_load_balancer_connections_total} for a pod. */
        public void loadBalancerConnections(PodRef pod, LoadBalancerRef lb, int hour, double value) {
            if (!(value > 0)) {
                return;
            }
            traffic(lb).addConnections(index(pod), hour, value);
        }

        /** {@code netcost_node_info} was present in {@code hour}. */
        public void nodeInfo(NodeRef node, String instanceId, String zone, String region, int hour) {
            NodeInfo info = nodes.get(node);
            if (info == null || (!instanceId.isEmpty() && !instanceId.equals(info.instanceId()))) {
                BitSet hoursSeen = info == null ? new BitSet(hours) : info.hours();
                info = new NodeInfo(node, instanceId, zone, region, hoursSeen);
                nodes.put(node, info);
            }
            info.hours().set(hour);
        }

        /** {@code netcost_load_balancer_info} named the load balancer (and its AWS id) in {@code hour}. */
        public void loadBalancerInfo(LoadBalancerRef lb, String id, int hour) {
            loadBalancerHours.computeIfAbsent(lb, k -> new BitSet(hours)).set(hour);
            if (!id.isEmpty()) {
                loadBalancerIds.put(lb, id);
            } else {
                loadBalancerIds.putIfAbsent(lb, "");
            }
        }

        /** The grouping label's value for a pod ({@code netcost_pod_labels}). */
        public void podLabel(String cluster, String namespace, String pod, String value) {
            if (!value.isEmpty()) {
                podLabels.put(List.of(cluster, namespace, pod), value);
            }
        }

        /** One hourly price value. */
        public void price(String cluster, String metric, String key, String type, int hour, BigDecimal value) {
            prices.put(cluster, metric, key, type, hour, value);
        }

        /**
         * The measurements, with pods, nodes and load balancers in a fixed order (by their labels), so a
         * report does not depend on the order in which concurrent queries answered.
         */
        public Measurements build() {
            List<PodRef> sorted = new ArrayList<>(pods);
            sorted.sort(Comparator.comparing(PodRef::toString));
            int[] newIndex = new int[pods.size()];
            for (int i = 0; i < sorted.size(); i++) {
                newIndex[podIndex.get(sorted.get(i))] = i;
            }
            for (Map.Entry<PodMeasure, List<double[]>> e : podBytes.entrySet()) {
                double[][] rows = new double[pods.size()][];
                for (int i = 0; i < pods.size(); i++) {
                    rows[newIndex[i]] = e.getValue().get(i);
                }
                e.setValue(new ArrayList<>(java.util.Arrays.asList(rows)));
            }
            Map<LoadBalancerRef, LoadBalancerTraffic> lbs = new LinkedHashMap<>();
            loadBalancers.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparing(LoadBalancerRef::toString)))
                    .forEach(e -> lbs.put(e.getKey(), e.getValue().reindexed(newIndex)));
            loadBalancers.clear();
            loadBalancers.putAll(lbs);
            Map<NodeRef, NodeInfo> n = new LinkedHashMap<>();
            nodes.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparing(NodeRef::toString)))
                    .forEach(e -> n.put(e.getKey(), e.getValue()));
            nodes.clear();
            nodes.putAll(n);
            pods.clear();
            pods.addAll(sorted);
            podIndex.clear();
            for (int i = 0; i < sorted.size(); i++) {
                podIndex.put(sorted.get(i), i);
            }
            return new Measurements(this);
        }

        private LoadBalancerTraffic traffic(LoadBalancerRef lb) {
            return loadBalancers.computeIfAbsent(lb, k -> new LoadBalancerTraffic(hours));
        }

        private int index(PodRef pod) {
            Integer i = podIndex.get(pod);
            if (i == null) {
                i = pods.size();
                pods.add(pod);
                podIndex.put(pod, i);
                for (List<double[]> list : podBytes.values()) {
                    list.add(null);
                }
            }
            return i;
        }

        private void add(PodMeasure m, int pod, int hour, double value) {
            List<double[]> list = podBytes.get(m);
            double[] row = list.get(pod);
            if (row == null) {
                row = new double[hours];
                list.set(pod, row);
            }
            row[hour] += value;
        }
    }
}
