package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netcost.core.testing.PrometheusProcess;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netcost report} end to end against a real Prometheus holding the scenario's series as exact
 * history (promtool-made blocks), with the bill as legacy CSV, CSV.gz and CUR 2.0 Parquet, and without
 * a bill (list prices). A second cluster's pod writes into the same Prometheus.
 */
class ReportIT {
    @TempDir
    static Path dir;
    static PrometheusProcess prometheus;

    /** The expected allocation of the scenario's bill by namespace, at 4 decimals (worked out in BillAllocatorTest). */
    static final String EXPECTED_CUR_CSV = """
            group,cost_type,usage_gb,allocated_usd,billed_usd,source\r
            shop,cross_zone,5.000000,0.0510,0.0510,cur\r
            game-2048,cross_zone,4.000000,0.0410,0.0410,cur\r
            unallocated:i-0bbb,cross_zone,0.500000,0.0000,0.0050,cur\r
            shop,internet_egress,4.000000,0.3600,0.3600,cur\r
            game-2048,internet_egress,1.000000,0.0900,0.0900,cur\r
            shop,nat_gateway,5.000000,0.1350,0.1350,cur\r
            game-2048,nat_gateway,1.000000,0.0000,0.0000,cur\r
            shop,load_balancer,4.000000,0.0483,0.0483,cur\r
            game-2048,load_balancer,4.000000,0.0462,0.0462,cur\r
            unallocated:k8s-shared-0123456789,load_balancer,,0.0000,0.0450,cur\r
            """;

    @BeforeAll
    static void startPrometheus() throws Exception {
        // Another cluster's pod in a namespace of the same name, on a node of the same name.
        var other = new dev.netcost.report.measure.PodRef("other", "game-2048", "intruder", "intruder", "Deployment",
                "node-a", "us-east-2a");
        Path om = dir.resolve("history.om");
        Files.writeString(om, Scenario2048.openMetrics(List.of(
                new Scenario2048.PodBytes(other, "egress", "cross_zone", 0, 10 * Scenario2048.G))), StandardCharsets.UTF_8);
        prometheus = PrometheusProcess.startWithHistory(om);
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static List<String> args(String... more) {
        List<String> a = new ArrayList<>(List.of("report", "--prometheus", prometheus.baseUrl().toString(),
                "--start", "2026-11-30T00:00:00Z", "--end", "2026-11-30T03:00:00Z", "--chunk", "2h"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void theBillAsLegacyCsv_isAllocatedToTheCent_byNamespace() throws Exception {
        Path cur = CurFixtures.legacyCsv(dir.resolve("bill.csv"), Scenario2048.bill());
        ReportRun r = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--format", "csv", "--precision", "4"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(EXPECTED_CUR_CSV);
    }

    @Test
    void cur2ParquetAndCsvGz_withOtherPrefixes_giveTheSameAllocation() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("export"));
        List<Scenario2048.CurLine> bill = Scenario2048.bill();
        CurFixtures.cur2Parquet(folder.resolve("part-0.parquet"), CurFixtures.withPrefix(bill.subList(0, 9), ""));
        CurFixtures.legacyCsvGz(folder.resolve("part-1.csv.gz"), CurFixtures.withPrefix(bill.subList(9, bill.size()), "EU-"));
        ReportRun r = ReportRun.of(args("--cur", folder.toString(), "--cluster", "demo", "--format", "csv", "--precision", "4"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(EXPECTED_CUR_CSV);
    }

    @Test
    void toTheCent_allocatedPlusUnallocatedIsBilled_perCostTypeAndInTotal() throws Exception {
        Path cur = CurFixtures.legacyCsv(dir.resolve("bill-cents.csv"), Scenario2048.bill());
        Path out = dir.resolve("report.json");
        ReportRun r = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--format", "json", "--out", out.toString()));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("wrote " + out).contains("billed 0.82 USD = allocated 0.77 + unallocated 0.05");
        JsonNode json = new ObjectMapper().readTree(out.toFile());
        assertThat(json.at("/window/hours").asInt()).isEqualTo(3);
        assertThat(json.at("/source").asText()).isEqualTo("cur");
        // Exact: 0.097 + 0.45 + 0.135 + 0.1395 = 0.8215, rounded half-up: 0.82.
        assertThat(json.at("/totals/billed_usd_exact").decimalValue()).isEqualByComparingTo("0.8215");
        assertThat(json.at("/totals/billed_usd").decimalValue()).isEqualByComparingTo("0.82");
        BigDecimal billed = BigDecimal.ZERO;
        BigDecimal allocated = BigDecimal.ZERO;
        for (JsonNode row : json.get("rows")) {
            billed = billed.add(row.get("billed_usd").decimalValue());
            allocated = allocated.add(row.get("allocated_usd").decimalValue());
        }
        assertThat(billed).isEqualByComparingTo("0.82");
        assertThat(allocated).isEqualByComparingTo(json.at("/totals/allocated_usd").decimalValue());
        for (JsonNode t : json.at("/totals/by_cost_type")) {
            assertThat(t.get("allocated_usd").decimalValue().add(t.get("unallocated_usd").decimalValue()))
                    .isEqualByComparingTo(t.get("billed_usd").decimalValue());
        }
        assertThat(json.get("coverage")).hasSize(5);
        assertThat(json.get("set_aside").toString()).contains("\"Tax\"").contains("\"Credit\"")
                .contains("network line on a resource outside the cluster");
        assertThat(json.at("/load_balancers/0/load_balancer").asText()).isEqualTo("k8s-shared-0123456789");
        assertThat(json.at("/cross_zone_top_talkers/0/workload").asText()).isEqualTo("game-2048/deployment-2048");
    }

    @Test
    void withoutABill_listPricesFollowTheCostModel() throws Exception {
        ReportRun r = ReportRun.of(args("--cluster", "demo", "--format", "csv", "--precision", "4"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        // cross_zone: game D1 3G + D2 1G, shop 2G + 3G at $0.01; internet egress at $0.09; NAT: internet both
        // directions at $0.045; ALB hour 0: 0.0225 + 8 LCU x 0.008 = 0.0865 split (3.4 + 1) : 4.6, idle hours
        // 1 and 2 unallocated.
        assertThat(r.out()).isEqualTo("""
                group,cost_type,usage_gb,allocated_usd,billed_usd,source\r
                shop,cross_zone,5.000000,0.0500,0.0500,list_price\r
                game-2048,cross_zone,4.000000,0.0400,0.0400,list_price\r
                shop,internet_egress,4.000000,0.3600,0.3600,list_price\r
                game-2048,internet_egress,1.000000,0.0900,0.0900,list_price\r
                shop,nat_gateway,5.000000,0.2250,0.2250,list_price\r
                game-2048,nat_gateway,1.000000,0.0450,0.0450,list_price\r
                shop,load_balancer,4.000000,0.0442,0.0442,list_price\r
                game-2048,load_balancer,4.000000,0.0423,0.0423,list_price\r
                unallocated:k8s-shared-0123456789,load_balancer,,0.0000,0.0450,list_price\r
                """);
    }

    @Test
    void withoutTheClusterFilter_theOtherClustersPodCounts_underItsNamespace_atItsOwnClustersPrices() throws Exception {
        ReportRun r = ReportRun.of(args("--format", "json", "--precision", "4"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        JsonNode row = null;
        for (JsonNode n : json.get("rows")) {
            if (n.get("group").asText().equals("game-2048") && n.get("cost_type").asText().equals("cross_zone")) {
                row = n;
            }
        }
        // The intruder's 10G joins game-2048's usage, but its cluster has no price book: no cost, a warning.
        assertThat(row).isNotNull();
        assertThat(row.get("usage_gb").decimalValue()).isEqualByComparingTo("14");
        assertThat(row.get("allocated_usd").decimalValue()).isEqualByComparingTo("0.04");
        assertThat(json.get("warnings").toString()).contains("no netcost_price_usd_per_gb{resource=\\\"cross_zone\\\"}");
    }

    @Test
    void byTeamLabel_andByWorkload() throws Exception {
        Path cur = CurFixtures.legacyCsv(dir.resolve("bill-team.csv"), Scenario2048.bill());
        ReportRun team = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--by", "label:team", "--format",
                "csv", "--precision", "4"));
        assertThat(team.exitCode()).as(team.err()).isZero();
        assertThat(team.out()).contains("games,cross_zone,4.000000,0.0410,0.0410,cur")
                .contains("shop,load_balancer,4.000000,0.0483,0.0483,cur");
        ReportRun workload = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--by", "workload",
                "--format", "csv", "--precision", "4"));
        assertThat(workload.out()).contains("shop/checkout,internet_egress,3.000000,0.2700,0.2700,cur")
                .contains("game-2048/deployment-2048,load_balancer,4.000000,0.0462,0.0462,cur");
    }

    @Test
    void theTable_showsGroupsTotalsAndTheCheck() throws Exception {
        Path cur = CurFixtures.legacyCsv(dir.resolve("bill-table.csv"), Scenario2048.bill());
        ReportRun r = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--precision", "4"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("NAMESPACE", "cross_zone", "load_balancer", "total")
                .containsPattern("shop\\s+0\\.0510\\s+0\\.3600\\s+0\\.1350\\s+0\\.0483\\s+0\\.5943")
                .containsPattern("billed\\s+0\\.0970\\s+0\\.4500\\s+0\\.1350\\s+0\\.1395\\s+0\\.8215")
                .contains("check: allocated + unallocated = billed")
                .contains("i-0bbb (cross_zone, 0.0050): no cross-zone bytes measured on node node-b in these hours")
                .contains("Coverage").contains("Left out of the allocation");
    }

    @Test
    void aWindowWithNoData_isBadInput() {
        ReportRun r = ReportRun.of("--prometheus", prometheus.baseUrl().toString(), "--start", "2026-10-01T00:00:00Z",
                "--end", "2026-10-01T05:00:00Z");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no netcost data between 2026-10-01T00:00:00Z and 2026-10-01T05:00:00Z");
        ReportRun other = ReportRun.of(args("--cluster", "nope"));
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err()).contains("for cluster=\"nope\"");
    }

    @Test
    void aLabelKeyWithQuotes_isSanitised_soTheQueryStaysValid() {
        ReportRun r = ReportRun.of(args("--by", "label:te\"am"));
        // The label key becomes label_te_am (as netcost_pod_labels names it), so the query stays valid.
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    void theHtmlReport_opensInHeadlessChromium_withoutErrorsOrFetches_andItsTableEqualsTheCsv() throws Exception {
        Path cur = CurFixtures.legacyCsv(dir.resolve("bill-html.csv"), Scenario2048.bill());
        Path html = dir.resolve("report.html");
        ReportRun h = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--format", "html", "--out", html.toString()));
        assertThat(h.exitCode()).as(h.err()).isZero();
        ReportRun csv = ReportRun.of(args("--cur", cur.toString(), "--cluster", "demo", "--format", "csv"));
        assertThat(csv.exitCode()).as(csv.err()).isZero();
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            HeadlessChromium.PageLoad load = chromium.open(html, 1000);
            assertThat(load.errors()).as("console errors, exceptions, log errors").isEmpty();
            assertThat(load.requests()).as("requests: the page itself only").containsExactly(html.toUri().toString());
            JsonNode cells = chromium.evaluate("JSON.stringify([...document.querySelectorAll('#allocation tr')]"
                    + ".map(r => [...r.cells].map(c => c.textContent).join(',')))");
            List<String> domRows = List.of(new ObjectMapper().readValue(cells.asText(), String[].class));
            assertThat(domRows).containsExactlyElementsOf(csv.out().lines().toList());
            assertThat(domRows).hasSizeGreaterThan(5);
            assertThat(chromium.evaluate("document.getElementById('check').textContent").asText())
                    .contains("allocated + unallocated = billed");
            assertThat(chromium.evaluate("document.querySelectorAll('svg rect').length").asInt()).isGreaterThan(5);
            Path png = Path.of("target", "report-screenshot.png");
            Files.createDirectories(png.getParent());
            chromium.screenshot(png);
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes.length).isGreaterThan(10_000);
            assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
    }
}
