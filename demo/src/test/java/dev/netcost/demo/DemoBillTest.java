package dev.netcost.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.demo.DemoBill.Line;
import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.BilledItem;
import dev.netcost.report.allocate.UsageKind;
import dev.netcost.report.cur.CurReader;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoBillTest {
    private static final Instant H13 = Instant.parse("2026-12-02T13:00:00Z");
    private static final Instant H14 = Instant.parse("2026-12-02T14:00:00Z");
    private static final long G = 1L << 30;

    @TempDir
    Path dir;

    /** Every flow done in hour 14 with round sizes, so that the dollars can be worked out by hand. */
    private static TrafficResults trafficIn14() {
        TrafficResults t = new TrafficResults();
        add(t, "alb-game-2048", 90_000, G / 4, G / 4);      // 0.5 GB processed; 90,000 connections = 1 LCU-hour
        add(t, "alb-shop", 45_000, G / 8, G / 8);           // 0.25 GB
        add(t, "storefront-to-cart", 4, G / 2, 0);          // 0.5 GB across zones
        add(t, "storefront-to-payments-api", 3, G, G / 4);  // 1 GB out, 1.25 GB through the NAT gateway
        add(t, "game-from-cdn", 3, 0, G / 4);               // 0.25 GB in through the NAT gateway
        return t;
    }

    private static void add(TrafficResults t, String job, long connections, long sent, long received) {
        t.add(new TrafficResults.Job(job, (int) Math.min(connections, Integer.MAX_VALUE), 0, sent, received,
                Map.of(H14, new TrafficResults.Hour(connections, sent, received)), List.of()));
    }

    private static Line find(List<Line> lines, Instant hour, String usageType, String resource) {
        return lines.stream().filter(l -> l.hour().equals(hour) && l.usageType().equals(usageType)
                && l.resourceId().contains(resource)).findFirst().orElseThrow(() -> new AssertionError(usageType + " " + resource));
    }

    @Test
    void bill_pricesEachHoursTraffic_andBillsEveryHourTheDemoTouched() {
        List<Line> lines = DemoBill.lines(List.of(H13, H14), trafficIn14());
        // Hour 13 (the agents started in it, the traffic came later): the NAT gateway's and the ALB's hours only.
        assertThat(lines.stream().filter(l -> l.hour().equals(H13))).extracting(Line::usageType)
                .containsExactly("USE2-NatGateway-Hours", "USE2-LoadBalancerUsage");
        // Cross-zone: 0.5 GB on each side, $0.01 per GB.
        assertThat(find(lines, H14, "USE2-DataTransfer-Regional-Bytes", DemoCluster.NODE_A.instanceId()).cost())
                .isEqualByComparingTo("0.005");
        assertThat(find(lines, H14, "USE2-DataTransfer-Regional-Bytes", DemoCluster.NODE_B.instanceId()).cost())
                .isEqualByComparingTo("0.005");
        // Internet: 1 GB sent out at $0.09; through the NAT gateway 1.25 + 0.25 GB at $0.045.
        assertThat(find(lines, H14, "USE2-DataTransfer-Out-Bytes", DemoCluster.NAT.id()).cost()).isEqualByComparingTo("0.09");
        assertThat(find(lines, H14, "USE2-NatGateway-Bytes", DemoCluster.NAT.id()).cost()).isEqualByComparingTo("0.0675");
        // ALB: 0.75 GB processed, 135,000 new connections = 1.5 LCU-hours (the higher) at $0.008.
        Line lcu = find(lines, H14, "USE2-LCUUsage", DemoCluster.ALB.name());
        assertThat(lcu.usage()).isEqualByComparingTo("1.5");
        assertThat(lcu.cost()).isEqualByComparingTo("0.012");
        assertThat(lcu.productCode()).isEqualTo("AWSELB");
        // 2 x (0.045 + 0.0225) of hours = 0.135, plus 0.01 + 0.09 + 0.0675 + 0.012 of usage.
        assertThat(DemoBill.total(lines)).isEqualByComparingTo("0.3145");
    }

    @Test
    void csv_isALegacyCurTheReportReads_labelledAsADemoBill() throws Exception {
        List<Line> lines = DemoBill.lines(List.of(H13, H14), trafficIn14());
        String csv = DemoBill.csv(lines);
        assertThat(csv.lines().skip(1)).allSatisfy(l -> assertThat(l).contains("netcost DEMO BILL, not from AWS"));
        Path file = dir.resolve("demo-bill-cur.csv");
        Files.writeString(file, csv);
        Bill bill = new CurReader(new Window(H13, H14.plusSeconds(3600))).read(List.of(file));
        assertThat(bill.setAside()).isEmpty();
        assertThat(bill.items()).hasSize(lines.size());
        assertThat(bill.total()).isEqualByComparingTo(DemoBill.total(lines));
        assertThat(bill.items()).extracting(BilledItem::kind).contains(UsageKind.REGIONAL_BYTES, UsageKind.OUT_BYTES,
                UsageKind.NAT_BYTES, UsageKind.NAT_HOURS, UsageKind.LB_HOURS, UsageKind.LB_LCU);
    }
}
