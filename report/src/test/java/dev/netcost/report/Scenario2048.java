package dev.netcost.report;

import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.NodeRef;
import dev.netcost.report.measure.PodRef;
import dev.netcost.report.measure.PriceBook;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The test scenario, one source for unit tests (as {@link Measurements}), the real-Prometheus tests (as
 * OpenMetrics history) and the bill (as CUR lines): the 2048 game and a shop behind one shared ALB, on
 * two nodes in two zones of us-east-2, three hours from 2026-11-30T00:00Z. Every expected dollar in
 * the tests is worked out by hand from the numbers here (G = one GiB, what AWS bills as a GB).
 *
 * <pre>
 * hour 0  cross-zone (both directions): deployment-2048-1 2G, cart-1 2G (node-a / i-0aaa, us-east-2a)
 *                                       deployment-2048-2 1G, checkout-1 3G (node-b / i-0bbb, us-east-2b)
 *         internet: cart-1 egress 1G + ingress 1G; checkout-1 egress 3G
 *         ALB k8s-shared-0123456789: deployment-2048-1 3G + 36,000 new connections,
 *                                    deployment-2048-2 1G, checkout-1 4G + 54,000 new connections
 * hour 1  cross-zone: deployment-2048-1 1G; nothing else (the ALB idles)
 * hour 2  internet: deployment-2048-2 egress 1G
 * </pre>
 */
public final class Scenario2048 {
    public static final Window WINDOW = new Window(Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-11-30T03:00:00Z"));
    public static final long G = 1L << 30;
    public static final String CLUSTER = "demo";

    public static final PodRef D1 = pod("game-2048", "deployment-2048-1", "deployment-2048", "node-a", "us-east-2a");
    public static final PodRef D2 = pod("game-2048", "deployment-2048-2", "deployment-2048", "node-b", "us-east-2b");
    public static final PodRef CART = pod("shop", "cart-1", "cart", "node-a", "us-east-2a");
    public static final PodRef CHECKOUT = pod("shop", "checkout-1", "checkout", "node-b", "us-east-2b");
    public static final LoadBalancerRef ALB = new LoadBalancerRef(CLUSTER, "k8s-shared-0123456789", "application");
    public static final String ALB_ID = "50dc6c495c0c9188";
    public static final String ALB_ARN = "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/"
            + ALB.name() + "/" + ALB_ID;

    /** Pod bytes by (pod, direction, class, hour). */
    record PodBytes(PodRef pod, String direction, String trafficClass, int hour, long bytes) {
    }

    /** Load-balancer bytes (one direction and class) and new connections of a pod in an hour. */
    record LbTraffic(PodRef pod, LoadBalancerRef lb, String direction, String trafficClass, int hour, long bytes,
                     long connections) {
    }

    static final List<PodBytes> POD_BYTES = List.of(
            new PodBytes(D1, "egress", "cross_zone", 0, G), new PodBytes(D1, "ingress", "cross_zone", 0, G),
            new PodBytes(CART, "egress", "cross_zone", 0, 2 * G),
            new PodBytes(D2, "ingress", "cross_zone", 0, G),
            new PodBytes(CHECKOUT, "ingress", "cross_zone", 0, 3 * G),
            new PodBytes(CART, "egress", "internet", 0, G), new PodBytes(CART, "ingress", "internet", 0, G),
            new PodBytes(CHECKOUT, "egress", "internet", 0, 3 * G),
            // Same-zone and in-VPC bytes cost nothing and must change nothing.
            new PodBytes(CART, "egress", "same_zone", 0, 7 * G), new PodBytes(D2, "egress", "in_vpc", 1, 5 * G),
            new PodBytes(D1, "egress", "cross_zone", 1, G),
            new PodBytes(D2, "egress", "internet", 2, G));

    static final List<LbTraffic> LB_TRAFFIC = List.of(
            new LbTraffic(D1, ALB, "ingress", "same_zone", 0, 2 * G, 36_000),
            new LbTraffic(D1, ALB, "egress", "same_zone", 0, G, 0),
            new LbTraffic(D2, ALB, "egress", "cross_zone", 0, G, 0),
            new LbTraffic(CHECKOUT, ALB, "ingress", "same_zone", 0, 4 * G, 54_000));

    /** Node, instance, zone. */
    static final List<String[]> NODES = List.of(
            new String[] {"node-a", "i-0aaa", "us-east-2a"},
            new String[] {"node-b", "i-0bbb", "us-east-2b"});

    /** The price book (us-east-1 list prices) as the series carry it. */
    static final Map<String, String> PRICES_PER_GB = Map.of("cross_zone", "0.01", "internet_egress", "0.09", "nat_gateway", "0.045");

    private Scenario2048() {
    }

    private static PodRef pod(String ns, String pod, String workload, String node, String zone) {
        return new PodRef(CLUSTER, ns, pod, workload, "Deployment", node, zone);
    }

    /** The team label of each pod (netcost_pod_labels{label_team}). */
    static String team(PodRef pod) {
        return pod.namespace().equals("shop") ? "shop" : "games";
    }

    /** The scenario as the loader would fill it from Prometheus. */
    public static Measurements measurements() {
        Measurements.Builder b = Measurements.builder(WINDOW);
        for (PodBytes p : POD_BYTES) {
            b.podBytes(p.pod(), p.direction(), p.trafficClass(), p.hour(), p.bytes());
        }
        for (LbTraffic t : LB_TRAFFIC) {
            b.loadBalancerBytes(t.pod(), t.lb(), t.trafficClass(), t.hour(), t.bytes());
            b.loadBalancerConnections(t.pod(), t.lb(), t.hour(), t.connections());
        }
        for (int h = 0; h < WINDOW.hours(); h++) {
            for (String[] n : NODES) {
                b.nodeInfo(new NodeRef(CLUSTER, n[0]), n[1], n[2], "us-east-2", h);
            }
            b.loadBalancerInfo(ALB, ALB_ID, h);
            for (Map.Entry<String, String> e : PRICES_PER_GB.entrySet()) {
                b.price(CLUSTER, PriceBook.USD_PER_GB, e.getKey(), "", h, new BigDecimal(e.getValue()));
            }
            b.price(CLUSTER, PriceBook.USD_PER_HOUR, "load_balancer", "application", h, new BigDecimal("0.0225"));
            b.price(CLUSTER, PriceBook.USD_PER_HOUR, "lcu", "application", h, new BigDecimal("0.008"));
            b.price(CLUSTER, PriceBook.USD_PER_HOUR, "nat_gateway", "", h, new BigDecimal("0.045"));
            b.price(CLUSTER, PriceBook.LCU_CAPACITY, "new_connections", "application", h, new BigDecimal("25"));
            // 1 GB/h: 2^30 / 3600 bytes per second is not a finite decimal; the series carries Go's float text.
            b.price(CLUSTER, PriceBook.LCU_CAPACITY, "processed_bytes", "application", h, new BigDecimal("298261.6177777778"));
            b.price(CLUSTER, PriceBook.GB_BYTES, "", "", h, BigDecimal.valueOf(G));
        }
        for (PodRef p : List.of(D1, D2, CART, CHECKOUT)) {
            b.podLabel(CLUSTER, p.namespace(), p.pod(), team(p));
        }
        return b.build();
    }

    /** One CUR line. */
    public record CurLine(String lineItemType, int hour, String productCode, String usageType, String zone,
                          String resourceId, String usageAmount, String cost) {
    }

    /**
     * The bill for the window. Expected allocation by namespace (worked out in {@code BillAllocatorTest}):
     * cross_zone game-2048 0.041, shop 0.051, unallocated i-0bbb 0.005; internet_egress game-2048 0.09,
     * shop 0.36; nat_gateway shop 0.135; load_balancer game-2048 0.0462, shop 0.0483, unallocated ALB 0.045.
     */
    public static List<CurLine> bill() {
        String natArn = "arn:aws:ec2:us-east-2:123456789012:natgateway/nat-0aaa";
        return List.of(
                new CurLine("Usage", 0, "AWSDataTransfer", "USE2-DataTransfer-Regional-Bytes", "us-east-2a", "i-0aaa", "4.2", "0.042"),
                new CurLine("Usage", 0, "AWSDataTransfer", "USE2-DataTransfer-Regional-Bytes", "us-east-2b", "i-0bbb", "4", "0.04"),
                new CurLine("Usage", 0, "AWSDataTransfer", "USE2-DataTransfer-Out-Bytes", "us-east-2a", "i-0aaa", "1", "0.09"),
                new CurLine("Usage", 0, "AWSDataTransfer", "USE2-DataTransfer-Out-Bytes", "us-east-2b", "i-0bbb", "3", "0.27"),
                new CurLine("Usage", 0, "AmazonEC2", "USE2-NatGateway-Bytes", "us-east-2a", natArn, "2", "0.09"),
                new CurLine("Usage", 0, "AmazonEC2", "USE2-NatGateway-Hours", "us-east-2a", natArn, "1", "0.045"),
                new CurLine("Usage", 0, "AWSELB", "USE2-LoadBalancerUsage", "", ALB_ARN, "1", "0.0225"),
                new CurLine("Usage", 0, "AWSELB", "USE2-LCUUsage", "", ALB_ARN, "9", "0.072"),
                new CurLine("Usage", 1, "AWSDataTransfer", "USE2-DataTransfer-Regional-Bytes", "us-east-2a", "i-0aaa", "1", "0.01"),
                new CurLine("Usage", 1, "AWSDataTransfer", "USE2-DataTransfer-Regional-Bytes", "us-east-2b", "i-0bbb", "0.5", "0.005"),
                new CurLine("Usage", 1, "AWSELB", "USE2-LoadBalancerUsage", "", ALB_ARN, "1", "0.0225"),
                // Not the cluster's: an instance that is no netcost node, a load balancer no controller made.
                new CurLine("Usage", 1, "AWSDataTransfer", "USE2-DataTransfer-Regional-Bytes", "us-east-2a", "i-0ccc", "50", "0.5"),
                new CurLine("Usage", 1, "AWSELB", "USE2-LoadBalancerUsage", "",
                        "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/legacy-web/0f0f0f", "1", "0.0225"),
                // Not network at all, and lines that are never allocated.
                new CurLine("Usage", 1, "AmazonEC2", "USE2-BoxUsage:m5.large", "us-east-2a", "i-0aaa", "1", "0.096"),
                new CurLine("Tax", 1, "AmazonEC2", "", "", "", "1", "0.10"),
                new CurLine("Credit", 1, "AWSELB", "USE2-LoadBalancerUsage", "", ALB_ARN, "1", "-0.05"),
                new CurLine("Usage", 2, "AWSDataTransfer", "USE2-DataTransfer-Out-Bytes", "us-east-2b", "i-0bbb", "1", "0.09"),
                new CurLine("Usage", 2, "AWSELB", "USE2-LoadBalancerUsage", "", ALB_ARN, "1", "0.0225"),
                // Outside the window: never read.
                new CurLine("Usage", 3, "AWSDataTransfer", "USE2-DataTransfer-Out-Bytes", "us-east-2b", "i-0bbb", "1", "9.99"));
    }

    static final String[] LEGACY_HEADER = {"identity/LineItemId", "identity/TimeInterval", "bill/PayerAccountId",
        "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
        "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
        "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
        "lineItem/LineItemDescription", "product/region", "resourceTags/user:team"};

    /** The lines as a legacy CUR CSV (the {@code lineItem/...} headers, ISO timestamps with Z). */
    public static String legacyCsv(List<CurLine> lines) {
        return legacyCsv(lines, WINDOW.start());
    }

    /** As {@link #legacyCsv(List)}, for the scenario moved to start at {@code start}. */
    static String legacyCsv(List<CurLine> lines, Instant start) {
        StringBuilder sb = new StringBuilder(String.join(",", LEGACY_HEADER)).append("\n");
        int id = 0;
        for (CurLine l : lines) {
            Instant s = start.plusSeconds(3600L * l.hour());
            Instant e = s.plusSeconds(3600);
            sb.append(String.join(",", List.of("li-" + (id++), s + "/" + e, "123456789012", "123456789012",
                    l.lineItemType(), s.toString(), e.toString(), l.productCode(), l.usageType(), "Op",
                    l.zone(), l.resourceId(), l.usageAmount(), "", l.cost(), "\"$ per GB, \"\"quoted\"\"\"",
                    "us-east-2", ""))).append("\n");
        }
        return sb.toString();
    }

    /** Every series of the scenario as OpenMetrics history: samples every 15 minutes over the window. */
    public static String openMetrics() {
        return openMetrics(List.of());
    }

    /**
     * As {@link #openMetrics()}, plus extra series lines (name{labels} -> hourly increments) for another
     * cluster, to test that they are kept apart.
     */
    static String openMetrics(List<PodBytes> otherCluster) {
        Map<String, long[]> counters = new TreeMap<>();
        for (PodBytes p : POD_BYTES) {
            hourly(counters, "netcost_pod_network_bytes_total", podLabels(p.pod()) + ",direction=\"" + p.direction()
                    + "\",class=\"" + p.trafficClass() + "\"", p.hour(), p.bytes());
        }
        for (PodBytes p : otherCluster) {
            hourly(counters, "netcost_pod_network_bytes_total", podLabels(p.pod()) + ",direction=\"" + p.direction()
                    + "\",class=\"" + p.trafficClass() + "\"", p.hour(), p.bytes());
        }
        for (LbTraffic t : LB_TRAFFIC) {
            String lb = ",load_balancer=\"" + t.lb().name() + "\",load_balancer_type=\"" + t.lb().type() + "\"";
            hourly(counters, "netcost_pod_load_balancer_bytes_total", podLabels(t.pod()) + lb + ",direction=\""
                    + t.direction() + "\",class=\"" + t.trafficClass() + "\"", t.hour(), t.bytes());
            if (t.connections() > 0) {
                hourly(counters, "netcost_pod_load_balancer_connections_total", podLabels(t.pod()) + lb, t.hour(),
                        t.connections());
            }
        }
        Map<String, String> gauges = new LinkedHashMap<>();
        String ext = "cluster=\"" + CLUSTER + "\",job=\"netcost\"";
        for (String[] n : NODES) {
            gauges.put("netcost_node_info{" + ext + ",node=\"" + n[0] + "\",zone=\"" + n[2] + "\",zone_id=\"use2-az"
                    + n[2].charAt(n[2].length() - 1) + "\",region=\"us-east-2\",instance_id=\"" + n[1]
                    + "\",instance_type=\"m5.large\"}", "1");
        }
        gauges.put("netcost_load_balancer_info{" + ext + ",load_balancer=\"" + ALB.name()
                + "\",load_balancer_type=\"application\",load_balancer_id=\"" + ALB_ID
                + "\",alb_group=\"shared\",scheme=\"internet-facing\",dns_name=\"shared.example\"}", "1");
        for (PodRef p : List.of(D1, D2, CART, CHECKOUT)) {
            gauges.put("netcost_pod_labels{" + ext + ",namespace=\"" + p.namespace() + "\",pod=\"" + p.pod()
                    + "\",label_team=\"" + team(p) + "\"}", "1");
        }
        PRICES_PER_GB.forEach((r, v) -> gauges.put("netcost_price_usd_per_gb{" + ext + ",resource=\"" + r + "\"}", v));
        gauges.put("netcost_price_usd_per_hour{" + ext + ",resource=\"load_balancer\",load_balancer_type=\"application\"}", "0.0225");
        gauges.put("netcost_price_usd_per_hour{" + ext + ",resource=\"lcu\",load_balancer_type=\"application\"}", "0.008");
        gauges.put("netcost_price_usd_per_hour{" + ext + ",resource=\"nat_gateway\"}", "0.045");
        gauges.put("netcost_lcu_capacity_per_second{" + ext + ",load_balancer_type=\"application\",dimension=\"new_connections\"}", "25");
        gauges.put("netcost_lcu_capacity_per_second{" + ext + ",load_balancer_type=\"application\",dimension=\"processed_bytes\"}",
                "298261.6177777778");
        gauges.put("netcost_price_gb_bytes{" + ext + "}", Long.toString(G));

        StringBuilder sb = new StringBuilder();
        Map<String, List<String>> families = new TreeMap<>();
        counters.keySet().forEach(k -> families.computeIfAbsent(k.substring(0, k.indexOf('{')), f -> new ArrayList<>()).add(k));
        gauges.keySet().forEach(k -> families.computeIfAbsent(k.substring(0, k.indexOf('{')), f -> new ArrayList<>()).add(k));
        long start = WINDOW.start().getEpochSecond();
        int steps = WINDOW.hours() * 4;
        for (Map.Entry<String, List<String>> f : families.entrySet()) {
            String name = f.getKey();
            boolean counter = name.endsWith("_total");
            sb.append("# TYPE ").append(counter ? name.substring(0, name.length() - "_total".length()) : name)
                    .append(counter ? " counter\n" : " gauge\n");
            for (String series : f.getValue()) {
                long[] perHour = counters.get(series);
                for (int i = 0; i <= steps; i++) {
                    long t = start + 900L * i;
                    String value;
                    if (counter) {
                        // Linear within each hour: the value a quarter of the way through is exact.
                        long v = 1000;
                        for (int h = 0; h < i / 4; h++) {
                            v += perHour[h];
                        }
                        if (i / 4 < perHour.length) {
                            v += perHour[i / 4] / 4 * (i % 4);
                        }
                        value = Long.toString(v);
                    } else {
                        value = gauges.get(series);
                    }
                    sb.append(series).append(' ').append(value).append(' ').append(t).append('\n');
                }
            }
        }
        return sb.append("# EOF\n").toString();
    }

    /**
     * The history in the Prometheus text format with millisecond timestamps, moved by {@code shiftSeconds}
     * (VictoriaMetrics' {@code /api/v1/import/prometheus}; it keeps only recent data, so the scenario
     * is moved close to now).
     */
    static String prometheusText(long shiftSeconds) {
        StringBuilder sb = new StringBuilder();
        for (String line : openMetrics().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            long t = Long.parseLong(line.substring(sp + 1)) + shiftSeconds;
            sb.append(line, 0, sp).append(' ').append(t * 1000).append('\n');
        }
        return sb.toString();
    }

    private static void hourly(Map<String, long[]> counters, String name, String labels, int hour, long value) {
        counters.computeIfAbsent(name + "{" + labels + "}", k -> new long[WINDOW.hours()])[hour] += value;
    }

    static String podLabels(PodRef p) {
        return String.format(Locale.ROOT, "cluster=\"%s\",job=\"netcost\",namespace=\"%s\",pod=\"%s\",workload=\"%s\","
                + "workload_kind=\"%s\",node=\"%s\",zone=\"%s\"", p.cluster(), p.namespace(), p.pod(), p.workload(),
                p.workloadKind(), p.node(), p.zone());
    }
}
