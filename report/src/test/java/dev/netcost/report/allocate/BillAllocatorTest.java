package dev.netcost.report.allocate;

import static dev.netcost.report.Scenario2048.CART;
import static dev.netcost.report.Scenario2048.CHECKOUT;
import static dev.netcost.report.Scenario2048.D1;
import static dev.netcost.report.Scenario2048.D2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.report.Scenario2048;
import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.NodeRef;
import dev.netcost.report.measure.PodRef;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillAllocatorTest {
    private final Measurements m = Scenario2048.measurements();

    private static BilledItem item(UsageKind kind, String resource, String zone, int hour, String amount, String usage) {
        return new BilledItem(kind, ResourceId.parse(resource), zone, hour, hour + 1, new BigDecimal(amount),
                usage == null ? null : new BigDecimal(usage), 1);
    }

    /** The scenario's bill as the reader would hand it over (the reader itself is tested in CurReaderTest). */
    static Bill scenarioBill() {
        List<BilledItem> items = new ArrayList<>();
        for (Scenario2048.CurLine l : Scenario2048.bill()) {
            UsageKind kind = UsageKind.of(l.usageType(), l.productCode());
            if (l.lineItemType().equals("Usage") && kind != null && l.hour() < 3) {
                items.add(item(kind, l.resourceId(), l.zone(), l.hour(), l.cost(), l.usageAmount()));
            }
        }
        return new Bill(items, List.of(), List.of(), List.of());
    }

    private int index(PodRef pod) {
        return m.pods().indexOf(pod);
    }

    private BigDecimal amount(Ledger l, CostType t, PodRef pod) {
        return l.podAmount(t, index(pod));
    }

    @Test
    void splitsEachLine_overThePodsThatCausedIt_inThatHour() {
        Ledger l = BillAllocator.allocate(m, scenarioBill());
        // Inter-AZ: i-0aaa 0.042 by node-a's cross-zone bytes (D1 2G, cart 2G) + hour 1's 0.01 all D1;
        // i-0bbb 0.04 by node-b's (D2 1G, checkout 3G).
        assertThat(amount(l, CostType.CROSS_ZONE, D1)).isEqualByComparingTo("0.031");
        assertThat(amount(l, CostType.CROSS_ZONE, CART)).isEqualByComparingTo("0.021");
        assertThat(amount(l, CostType.CROSS_ZONE, D2)).isEqualByComparingTo("0.01");
        assertThat(amount(l, CostType.CROSS_ZONE, CHECKOUT)).isEqualByComparingTo("0.03");
        // Internet egress per instance: node-a's only egress is cart's; node-b's is checkout's (hour 0), D2's (hour 2).
        assertThat(amount(l, CostType.INTERNET_EGRESS, CART)).isEqualByComparingTo("0.09");
        assertThat(amount(l, CostType.INTERNET_EGRESS, CHECKOUT)).isEqualByComparingTo("0.27");
        assertThat(amount(l, CostType.INTERNET_EGRESS, D2)).isEqualByComparingTo("0.09");
        // The NAT gateway in us-east-2a: bytes and hours to cart, the only internet user in that zone.
        assertThat(amount(l, CostType.NAT_GATEWAY, CART)).isEqualByComparingTo("0.135");
        assertThat(amount(l, CostType.NAT_GATEWAY, CHECKOUT)).isEqualByComparingTo("0");
        // The ALB in hour 0: B = 1 GiB/h, C = 25/s = 90,000/h. LCUs by pod: D1 3 + 36,000/90,000 = 3.4,
        // D2 1, checkout 4 + 54,000/90,000 = 4.6; of 9. Hours 0.0225 and LCUs 0.072 split 3.4 : 1 : 4.6.
        assertThat(amount(l, CostType.LOAD_BALANCER, D1)).isEqualByComparingTo("0.0357");
        assertThat(amount(l, CostType.LOAD_BALANCER, D2)).isEqualByComparingTo("0.0105");
        assertThat(amount(l, CostType.LOAD_BALANCER, CHECKOUT)).isEqualByComparingTo("0.0483");
    }

    @Test
    void whatHasNothingToSplitBy_staysUnallocated_underItsResource_withTheReason() {
        Ledger l = BillAllocator.allocate(m, scenarioBill());
        Ledger.Unallocated node = l.unallocated(CostType.CROSS_ZONE).get("i-0bbb");
        assertThat(node.amount()).isEqualByComparingTo("0.005");
        assertThat(node.usageGb()).isEqualByComparingTo("0.5");
        assertThat(node.reasons().keySet()).containsExactly("no cross-zone bytes measured on node node-b in these hours");
        Ledger.Unallocated alb = l.unallocated(CostType.LOAD_BALANCER).get("k8s-shared-0123456789");
        assertThat(alb.amount()).isEqualByComparingTo("0.045");
        assertThat(alb.usageGb()).isNull();
        assertThat(alb.reasons().keySet()).containsExactly("no traffic measured through it in these hours");
    }

    @Test
    void allocatedPlusUnallocated_isBilled_exactly_perCostType() {
        Ledger l = BillAllocator.allocate(m, scenarioBill());
        assertThat(l.billed(CostType.CROSS_ZONE)).isEqualByComparingTo("0.097");
        assertThat(l.billed(CostType.INTERNET_EGRESS)).isEqualByComparingTo("0.45");
        assertThat(l.billed(CostType.NAT_GATEWAY)).isEqualByComparingTo("0.135");
        assertThat(l.billed(CostType.LOAD_BALANCER)).isEqualByComparingTo("0.1395");
        for (CostType t : l.costTypes()) {
            BigDecimal sum = BigDecimal.ZERO;
            for (int p = 0; p < m.pods().size(); p++) {
                sum = sum.add(l.podAmount(t, p));
            }
            for (Ledger.Unallocated u : l.unallocated(t).values()) {
                sum = sum.add(u.amount());
            }
            assertThat(sum).as(t.label()).isEqualByComparingTo(l.billed(t));
        }
    }

    @Test
    void resourcesOutsideTheCluster_areLeftOutAndListed_notBilledToIt() {
        Ledger l = BillAllocator.allocate(m, scenarioBill());
        assertThat(l.outside()).extracting(SetAside::reason, SetAside::product, SetAside::lines, SetAside::amount)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(SetAside.OUTSIDE_CLUSTER, "DataTransfer-Regional-Bytes", 1L,
                                new BigDecimal("0.5")),
                        org.assertj.core.groups.Tuple.tuple(SetAside.OUTSIDE_CLUSTER, "LoadBalancerUsage", 1L,
                                new BigDecimal("0.0225")));
    }

    @Test
    void coverage_setsBilledGbAgainstMeasuredGb_perResource() {
        Ledger l = BillAllocator.allocate(m, scenarioBill());
        assertThat(l.coverage()).extracting(c -> c.resource() + " " + c.usageType() + " "
                        + c.billedGb().stripTrailingZeros().toPlainString() + " " + c.measuredGb().stripTrailingZeros().toPlainString())
                .containsExactlyInAnyOrder(
                        "i-0aaa DataTransfer-Regional-Bytes 5.2 5",
                        "i-0bbb DataTransfer-Regional-Bytes 4.5 4",
                        "i-0aaa DataTransfer-Out-Bytes 1 1",
                        "i-0bbb DataTransfer-Out-Bytes 4 4",
                        "nat-0aaa NatGateway-Bytes 2 2");
    }

    @Test
    void aNatGatewayWithoutAZone_isSplitOverEveryNode_andOneInAnotherRegion_isLeftOut() {
        Bill bill = new Bill(List.of(
                item(UsageKind.NAT_BYTES, "nat-0fff", "", 0, "0.10", "5"),
                item(UsageKind.NAT_HOURS, "arn:aws:ec2:eu-west-1:1:natgateway/nat-0eee", "", 0, "0.05", "1")),
                List.of(), List.of(), List.of());
        Ledger l = BillAllocator.allocate(m, bill);
        // Internet bytes in hour 0: cart 2G, checkout 3G.
        assertThat(amount(l, CostType.NAT_GATEWAY, CART)).isEqualByComparingTo("0.04");
        assertThat(amount(l, CostType.NAT_GATEWAY, CHECKOUT)).isEqualByComparingTo("0.06");
        assertThat(l.billed(CostType.NAT_GATEWAY)).isEqualByComparingTo("0.10");
        assertThat(l.outside()).singleElement().extracting(SetAside::amount).isEqualTo(new BigDecimal("0.05"));
    }

    @Test
    void anNlbsCrossZoneBytes_countAsThePodsCrossZoneTransfer() {
        Window w = new Window(Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-11-30T01:00:00Z"));
        PodRef a = new PodRef("", "ns", "a", "a", "Deployment", "n1", "z1");
        PodRef b = new PodRef("", "ns2", "b", "b", "Deployment", "n1", "z1");
        LoadBalancerRef nlb = new LoadBalancerRef("", "k8s-nlb", "network");
        Measurements.Builder mb = Measurements.builder(w);
        mb.nodeInfo(new NodeRef("", "n1"), "i-1", "z1", "", 0);
        mb.podBytes(a, "egress", "cross_zone", 0, 1000);
        mb.loadBalancerBytes(b, nlb, "cross_zone", 0, 3000);
        mb.loadBalancerBytes(b, new LoadBalancerRef("", "k8s-alb", "application"), "cross_zone", 0, 5000);
        Measurements mm = mb.build();
        Ledger l = BillAllocator.allocate(mm, new Bill(List.of(item(UsageKind.REGIONAL_BYTES, "i-1", "", 0, "0.04", null)),
                List.of(), List.of(), List.of()));
        assertThat(l.podAmount(CostType.CROSS_ZONE, mm.pods().indexOf(a))).isEqualByComparingTo("0.01");
        assertThat(l.podAmount(CostType.CROSS_ZONE, mm.pods().indexOf(b))).isEqualByComparingTo("0.03");
    }

    @Test
    void anUnknownControllerLoadBalancer_isUnallocated_notLeftOut() {
        Bill bill = new Bill(List.of(item(UsageKind.LB_HOURS,
                "arn:aws:elasticloadbalancing:us-east-2:1:loadbalancer/app/k8s-unknown-1234/abc", "", 0, "0.0225", "1")),
                List.of(), List.of(), List.of());
        Ledger l = BillAllocator.allocate(m, bill);
        assertThat(l.unallocated(CostType.LOAD_BALANCER)).containsKey("k8s-unknown-1234");
        assertThat(l.unallocated(CostType.LOAD_BALANCER).get("k8s-unknown-1234").reasons().keySet().iterator().next())
                .startsWith("not in netcost_load_balancer_info");
    }

    @Test
    void aLoadBalancerWhoseIdDiffers_isAnotherLoadBalancer() {
        Bill bill = new Bill(List.of(item(UsageKind.LB_HOURS,
                "arn:aws:elasticloadbalancing:us-east-2:1:loadbalancer/app/k8s-shared-0123456789/ffffffff", "", 0, "0.0225", "1")),
                List.of(), List.of(), List.of());
        Ledger l = BillAllocator.allocate(m, bill);
        assertThat(l.unallocated(CostType.LOAD_BALANCER)).containsKey("k8s-shared-0123456789");
        assertThat(l.podAmount(CostType.LOAD_BALANCER, index(D1))).isEqualByComparingTo("0");
    }
}
