package dev.netcost.report.allocate;

import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.LoadBalancerTraffic;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.NodeInfo;
import dev.netcost.report.measure.NodeRef;
import dev.netcost.report.measure.PodMeasure;
import dev.netcost.report.measure.PodRef;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits the bill's network items over the pods that caused them, hour by hour:
 * <ul>
 * <li>{@code DataTransfer-Regional-Bytes} on an instance: that node's pods by their cross-zone bytes
 *     (both directions, plus NLB cross-zone); on a known load balancer: its pods by their cross-zone
 *     bytes with it;</li>
 * <li>{@code DataTransfer-Out-Bytes} on an instance: its pods by internet egress bytes; on a NAT
 *     gateway: the pods of nodes in its zone, likewise;</li>
 * <li>{@code NatGateway-Bytes}/{@code -Hours}: the pods of nodes in the NAT gateway's zone (every node
 *     when the bill names no zone) by internet bytes, both directions;</li>
 * <li>{@code AWSELB LoadBalancerUsage}/{@code LCUUsage}: the load balancer's pods by their LCU share
 *     ({@link LoadBalancerShares}).</li>
 * </ul>
 * An item with nothing measured to split by stays unallocated under its resource's name, with the
 * reason. Items on resources that are not the cluster's (an instance that was never a netcost node, a
 * load balancer netcost does not know and the AWS Load Balancer Controller did not name, a NAT gateway
 * in another region) are left out and listed.
 */
public final class BillAllocator {
    /** Decimal places of the exact parts (a millionth of a millionth of a dollar). */
    static final int SPLIT_SCALE = 12;
    private static final String CONTROLLER_PREFIX = "k8s-";

    private final Measurements m;
    private final Ledger ledger;
    private final LoadBalancerShares shares;
    private final Map<String, List<NodeInfo>> nodesByInstance = new HashMap<>();
    private final Map<NodeRef, List<Integer>> podsByNode = new HashMap<>();
    private final Map<String, List<Integer>> podsByZone = new HashMap<>();
    private final List<Integer> allPods = new ArrayList<>();
    private final Map<String, List<LoadBalancerRef>> loadBalancersByName = new HashMap<>();
    private final Set<String> regions = new HashSet<>();

    private BillAllocator(Measurements m, Ledger ledger) {
        this.m = m;
        this.ledger = ledger;
        this.shares = new LoadBalancerShares(m, ledger);
        for (NodeInfo n : m.nodes().values()) {
            if (!n.instanceId().isEmpty()) {
                nodesByInstance.computeIfAbsent(n.instanceId(), k -> new ArrayList<>()).add(n);
            }
            if (!n.region().isEmpty()) {
                regions.add(n.region());
            }
        }
        List<PodRef> pods = m.pods();
        for (int i = 0; i < pods.size(); i++) {
            PodRef p = pods.get(i);
            podsByNode.computeIfAbsent(new NodeRef(p.cluster(), p.node()), k -> new ArrayList<>()).add(i);
            podsByZone.computeIfAbsent(p.zone(), k -> new ArrayList<>()).add(i);
            allPods.add(i);
        }
        Set<LoadBalancerRef> lbs = new LinkedHashSet<>(m.loadBalancerIds().keySet());
        lbs.addAll(m.loadBalancers().keySet());
        for (LoadBalancerRef lb : lbs) {
            loadBalancersByName.computeIfAbsent(lb.name(), k -> new ArrayList<>()).add(lb);
        }
    }

    /** Allocates every item of {@code bill}; the ledger's billed totals are those of the items in scope. */
    public static Ledger allocate(Measurements m, Bill bill) {
        Ledger ledger = new Ledger("cur", m.pods().size());
        BillAllocator a = new BillAllocator(m, ledger);
        for (BilledItem item : bill.items()) {
            a.item(item);
        }
        return ledger;
    }

    private void item(BilledItem it) {
        ResourceId r = it.resource();
        switch (r.kind()) {
            case INSTANCE -> instance(it);
            case NAT_GATEWAY -> natGateway(it);
            case LOAD_BALANCER -> loadBalancer(it);
            case OTHER -> ledger.outside(r.raw().isEmpty() ? SetAside.NO_RESOURCE : SetAside.OUTSIDE_CLUSTER,
                    it.kind().suffix(), it.amount(), it.lines());
            default -> throw new IllegalStateException("BUG: resource kind " + r.kind());
        }
    }

    private void instance(BilledItem it) {
        List<NodeInfo> nodes = nodesByInstance.get(it.resource().id());
        if (nodes == null) {
            ledger.outside(SetAside.OUTSIDE_CLUSTER, it.kind().suffix(), it.amount(), it.lines());
            return;
        }
        ledger.billed(it.costType(), it.amount());
        PodMeasure measure = switch (it.kind()) {
            case REGIONAL_BYTES -> PodMeasure.CROSS_ZONE;
            case OUT_BYTES -> PodMeasure.INTERNET_EGRESS;
            default -> null;
        };
        String nodeNames = String.join(", ", nodes.stream().map(n -> n.ref().node()).distinct().toList());
        if (measure == null) {
            unallocated(it, "netcost does not split " + it.kind().suffix() + " on an instance");
            return;
        }
        List<Integer> pods = new ArrayList<>();
        List<NodeInfo> active = nodes.stream()
                .filter(n -> n.hours().nextSetBit(it.firstHour()) >= 0 && n.hours().nextSetBit(it.firstHour()) < it.endHour())
                .toList();
        for (NodeInfo n : active.isEmpty() ? nodes : active) {
            pods.addAll(podsByNode.getOrDefault(n.ref(), List.of()));
        }
        splitByMeasure(it, pods, measure, "no " + describe(measure) + " measured on node " + nodeNames + " in these hours");
    }

    private void natGateway(BilledItem it) {
        String region = it.resource().region();
        if (!region.isEmpty() && !regions.isEmpty() && !regions.contains(region)) {
            ledger.outside(SetAside.OUTSIDE_CLUSTER, it.kind().suffix(), it.amount(), it.lines());
            return;
        }
        ledger.billed(it.costType(), it.amount());
        PodMeasure measure = switch (it.kind()) {
            case NAT_BYTES, NAT_HOURS -> PodMeasure.INTERNET;
            case OUT_BYTES -> PodMeasure.INTERNET_EGRESS;
            default -> null;
        };
        if (measure == null) {
            unallocated(it, "netcost does not split " + it.kind().suffix() + " on a NAT gateway");
            return;
        }
        List<Integer> pods = it.zone().isEmpty() ? allPods : podsByZone.getOrDefault(it.zone(), List.of());
        String where = it.zone().isEmpty() ? "any zone" : "zone " + it.zone();
        splitByMeasure(it, pods, measure, "no " + describe(measure) + " measured from pods in " + where);
    }

    private void loadBalancer(BilledItem it) {
        ResourceId r = it.resource();
        List<LoadBalancerRef> refs = new ArrayList<>();
        for (LoadBalancerRef lb : loadBalancersByName.getOrDefault(r.name(), List.of())) {
            String id = m.loadBalancerIds().getOrDefault(lb, "");
            if (lb.type().equals(r.lbType()) && (id.isEmpty() || id.equals(r.id()))) {
                refs.add(lb);
            }
        }
        if (refs.isEmpty() && !r.name().startsWith(CONTROLLER_PREFIX)) {
            ledger.outside(SetAside.OUTSIDE_CLUSTER, it.kind().suffix(), it.amount(), it.lines());
            return;
        }
        ledger.billed(it.costType(), it.amount());
        if (refs.isEmpty()) {
            unallocated(it, "not in netcost_load_balancer_info and no traffic measured through it"
                    + " (is the webhook running, and the load balancer's address known?)");
            return;
        }
        Map<Integer, BigDecimal> weights = new LinkedHashMap<>();
        switch (it.kind()) {
            case LB_HOURS, LB_LCU -> {
                boolean oneHour = it.endHour() - it.firstHour() == 1;
                for (int h = it.firstHour(); h < it.endHour(); h++) {
                    Map<Integer, BigDecimal> hour = new LinkedHashMap<>();
                    BigDecimal denominator = BigDecimal.ONE;
                    for (LoadBalancerRef lb : refs) {
                        LoadBalancerShares.Hour w = shares.weights(lb, h);
                        // Load balancers of one name share one type, so one denominator.
                        denominator = w.denominator();
                        w.numerators().forEach((p, v) -> hour.merge(p, v, BigDecimal::add));
                    }
                    if (oneHour) {
                        weights.putAll(hour);
                        continue;
                    }
                    // Hours: each hour counts the same. LCUs: hours count by the LCUs measured in them.
                    BigDecimal total = it.kind() == UsageKind.LB_HOURS ? sum(hour.values()) : denominator;
                    if (total.signum() > 0) {
                        hour.forEach((p, w) -> weights.merge(p, w.divide(total, MathContext.DECIMAL128), BigDecimal::add));
                    }
                }
                split(it, weights, "no traffic measured through it in these hours", r.name());
            }
            case REGIONAL_BYTES -> {
                BigDecimal measured = BigDecimal.ZERO;
                for (LoadBalancerRef lb : refs) {
                    LoadBalancerTraffic t = m.loadBalancers().get(lb);
                    if (t == null) {
                        continue;
                    }
                    for (Map.Entry<Integer, double[]> e : t.crossZoneBytes().entrySet()) {
                        BigDecimal b = hours(e.getValue(), it);
                        if (b.signum() > 0) {
                            weights.merge(e.getKey(), b, BigDecimal::add);
                            measured = measured.add(b);
                        }
                    }
                }
                coverage(it, measured, refs.get(0).cluster());
                split(it, weights, "no cross-zone bytes measured through it in these hours", r.name());
            }
            default -> unallocated(it, "netcost does not split " + it.kind().suffix() + " on a load balancer");
        }
    }

    private void splitByMeasure(BilledItem it, List<Integer> pods, PodMeasure measure, String reasonIfNone) {
        Map<Integer, BigDecimal> weights = new LinkedHashMap<>();
        BigDecimal measured = BigDecimal.ZERO;
        for (int p : pods) {
            double[] bytes = m.bytes(measure, p);
            if (bytes == null) {
                continue;
            }
            BigDecimal b = hours(bytes, it);
            if (b.signum() > 0) {
                weights.put(p, b);
                measured = measured.add(b);
            }
        }
        coverage(it, measured, pods.isEmpty() ? "" : m.pods().get(pods.get(0)).cluster());
        split(it, weights, reasonIfNone, null);
    }

    private void split(BilledItem it, Map<Integer, BigDecimal> weights, String reasonIfNone, String loadBalancer) {
        if (weights.isEmpty() || sum(weights.values()).signum() == 0) {
            unallocated(it, reasonIfNone);
            return;
        }
        ledger.split(it.costType(), it.amount(), weights, Math.max(SPLIT_SCALE, it.amount().scale()), loadBalancer);
    }

    private void unallocated(BilledItem it, String reason) {
        BigDecimal usageGb = it.kind().unit() == UsageKind.Unit.GB ? it.usageAmount() : null;
        ledger.unallocated(it.costType(), it.resource().display(), it.amount(), usageGb, reason);
    }

    private void coverage(BilledItem it, BigDecimal measuredBytes, String cluster) {
        if (it.kind().unit() == UsageKind.Unit.GB && it.usageAmount() != null) {
            BigDecimal gb = measuredBytes.divide(m.prices().gbBytes(cluster, it.firstHour()), MathContext.DECIMAL128);
            ledger.coverage(it.resource().display(), it.kind().suffix(), it.usageAmount(), gb);
        }
    }

    private static BigDecimal hours(double[] values, BilledItem it) {
        double s = 0;
        for (int h = it.firstHour(); h < it.endHour(); h++) {
            s += values[h];
        }
        return BigDecimal.valueOf(s);
    }

    private static BigDecimal sum(Iterable<BigDecimal> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (BigDecimal v : values) {
            s = s.add(v);
        }
        return s;
    }

    static String describe(PodMeasure measure) {
        return switch (measure) {
            case CROSS_ZONE -> "cross-zone bytes";
            case INTERNET_EGRESS -> "internet egress bytes";
            case INTERNET -> "internet bytes";
        };
    }
}
