package dev.netcost.demo;

import dev.netcost.demo.DemoPlan.Flow;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo bill: what AWS would bill in us-east-2, at list prices, for the demo's traffic and for the
 * hours its resources existed, as a legacy Cost and Usage Report CSV ({@code lineItem/...} columns)
 * that {@code netcost report --cur} reads. Every line says in its description that it is a demo bill.
 *
 * <p>Per clock hour: each node's inter-AZ bytes (in and out) on its instance, the internet egress and the
 * bytes processed (both directions) on the NAT gateway, one NAT-gateway hour and one ALB hour for every
 * hour the demo touches (AWS bills a started hour in full), and the ALB's LCU-hours: the higher of
 * processed GB and new connections / 90,000 (25 per second). Active connections and rule evaluations,
 * AWS's other two LCU dimensions, are not modelled. Usage is billed from the payload the traffic clients
 * sent: AWS's meters would also count IP and TCP headers, which netcost sees, so the report's coverage
 * shows a little over 100 %.
 */
final class DemoBill {
    static final BigDecimal GB = BigDecimal.valueOf(1L << 30);
    static final int SCALE = 10;
    static final String DESCRIPTION = "netcost DEMO BILL, not from AWS: us-east-2 list price applied to the demo's traffic";

    /** us-east-2 list prices (the same as us-east-1 for these), also the price book the demo's webhook emits. */
    static final BigDecimal CROSS_ZONE_PER_GB = new BigDecimal("0.01");
    static final BigDecimal INTERNET_EGRESS_PER_GB = new BigDecimal("0.09");
    static final BigDecimal NAT_PER_GB = new BigDecimal("0.045");
    static final BigDecimal NAT_PER_HOUR = new BigDecimal("0.045");
    static final BigDecimal ALB_PER_HOUR = new BigDecimal("0.0225");
    static final BigDecimal ALB_PER_LCU_HOUR = new BigDecimal("0.008");

    /** One CUR line. */
    record Line(Instant hour, String productCode, String usageType, String zone, String resourceId, BigDecimal usage,
                BigDecimal rate, BigDecimal cost, String unit) {
    }

    private DemoBill() {
    }

    /**
     * The bill's lines for every hour in {@code hours} (the hours the demo touched, from the first agent's
     * start to the last sample), from what the traffic clients did in each.
     */
    static List<Line> lines(List<Instant> hours, TrafficResults traffic) {
        List<Line> out = new ArrayList<>();
        String prefix = "USE2-";
        for (Instant h : hours) {
            Map<DemoCluster.Node, long[]> crossZone = new LinkedHashMap<>();
            long egress = 0;
            long natBytes = 0;
            long albBytes = 0;
            long albConnections = 0;
            for (Flow f : DemoPlan.FLOWS) {
                TrafficResults.Job job = traffic.job(f.job().id());
                TrafficResults.Hour u = job == null ? null : job.hours().get(h);
                if (u == null) {
                    continue;
                }
                long both = u.sent() + u.received();
                switch (f.kind()) {
                    case ALB -> {
                        albBytes += both;
                        albConnections += u.connections();
                    }
                    case CROSS_ZONE -> {
                        crossZone.computeIfAbsent(f.from().node(), k -> new long[1])[0] += both;
                        crossZone.computeIfAbsent(f.to().node(), k -> new long[1])[0] += both;
                    }
                    case INTERNET -> {
                        egress += u.sent();
                        natBytes += both;
                    }
                    default -> throw new IllegalStateException("BUG: flow kind " + f.kind());
                }
            }
            for (DemoCluster.Node n : DemoCluster.NODES) {
                long[] b = crossZone.get(n);
                if (b != null && b[0] > 0) {
                    out.add(line(h, "AWSDataTransfer", prefix + "DataTransfer-Regional-Bytes", n.zone(), n.instanceId(),
                            gb(b[0]), CROSS_ZONE_PER_GB, "GB"));
                }
            }
            String nat = DemoCluster.NAT.arn();
            if (egress > 0) {
                out.add(line(h, "AWSDataTransfer", prefix + "DataTransfer-Out-Bytes", DemoCluster.NAT.zone(), nat, gb(egress),
                        INTERNET_EGRESS_PER_GB, "GB"));
            }
            if (natBytes > 0) {
                out.add(line(h, "AmazonEC2", prefix + "NatGateway-Bytes", DemoCluster.NAT.zone(), nat, gb(natBytes),
                        NAT_PER_GB, "GB"));
            }
            out.add(line(h, "AmazonEC2", prefix + "NatGateway-Hours", DemoCluster.NAT.zone(), nat, BigDecimal.ONE,
                    NAT_PER_HOUR, "Hrs"));
            String alb = DemoCluster.ALB.arn();
            out.add(line(h, "AWSELB", prefix + "LoadBalancerUsage", "", alb, BigDecimal.ONE, ALB_PER_HOUR, "Hrs"));
            if (albBytes > 0 || albConnections > 0) {
                BigDecimal lcus = gb(albBytes).max(BigDecimal.valueOf(albConnections)
                        .divide(DemoPlan.LCU_CONNECTIONS, SCALE, RoundingMode.HALF_UP));
                out.add(line(h, "AWSELB", prefix + "LCUUsage", "", alb, lcus, ALB_PER_LCU_HOUR, "LCU-Hrs"));
            }
        }
        return out;
    }

    private static BigDecimal gb(long bytes) {
        return BigDecimal.valueOf(bytes).divide(GB, SCALE, RoundingMode.HALF_UP);
    }

    private static Line line(Instant hour, String product, String usageType, String zone, String resource, BigDecimal usage,
                             BigDecimal rate, String unit) {
        return new Line(hour, product, usageType, zone, resource, usage, rate,
                usage.multiply(rate).setScale(SCALE, RoundingMode.HALF_UP), unit);
    }

    /** The sum of every line's cost: what the report must account for, to the cent. */
    static BigDecimal total(List<Line> lines) {
        return lines.stream().map(Line::cost).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    static final String[] HEADER = {"identity/LineItemId", "identity/TimeInterval", "bill/PayerAccountId",
        "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
        "lineItem/ProductCode", "lineItem/UsageType", "lineItem/AvailabilityZone", "lineItem/ResourceId",
        "lineItem/UsageAmount", "pricing/unit", "lineItem/UnblendedRate", "lineItem/UnblendedCost",
        "lineItem/LineItemDescription", "product/region"};

    /** The lines as a legacy CUR CSV. */
    static String csv(List<Line> lines) {
        StringBuilder sb = new StringBuilder(String.join(",", HEADER)).append('\n');
        int id = 1;
        for (Line l : lines) {
            Instant end = l.hour().plusSeconds(3600);
            sb.append(String.join(",", List.of(String.format("netcost-demo-%04d", id++), l.hour() + "/" + end,
                    DemoCluster.ACCOUNT, DemoCluster.ACCOUNT, "Usage", l.hour().toString(), end.toString(), l.productCode(),
                    l.usageType(), l.zone(), l.resourceId(), l.usage().toPlainString(), l.unit(), l.rate().toPlainString(),
                    l.cost().toPlainString(), quote(DESCRIPTION + " ($" + l.rate().toPlainString() + " per " + l.unit() + ")"),
                    DemoCluster.REGION))).append('\n');
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
