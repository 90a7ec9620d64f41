package dev.netcost.report.cur;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.report.CurFixtures;
import dev.netcost.report.ReportException;
import dev.netcost.report.Scenario2048;
import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.BilledItem;
import dev.netcost.report.allocate.SetAside;
import dev.netcost.report.allocate.UsageKind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurReaderTest {
    @TempDir
    Path dir;

    private final CurReader reader = new CurReader(Scenario2048.WINDOW);

    /** What every schema and prefix must read to: the scenario's items in the window and what is left out. */
    private static void assertScenarioBill(Bill bill) {
        // 15 network usage lines in hours 0-2 (the hour-3 line is outside the window), $1.344 in all.
        assertThat(bill.items()).hasSize(15);
        assertThat(bill.total()).isEqualByComparingTo("1.344");
        Map<UsageKind, BigDecimal> byKind = bill.items().stream().collect(Collectors.groupingBy(BilledItem::kind,
                Collectors.reducing(BigDecimal.ZERO, BilledItem::amount, BigDecimal::add)));
        assertThat(byKind).containsOnlyKeys(UsageKind.values());
        assertThat(byKind.get(UsageKind.REGIONAL_BYTES)).isEqualByComparingTo("0.597");
        assertThat(byKind.get(UsageKind.OUT_BYTES)).isEqualByComparingTo("0.45");
        assertThat(byKind.get(UsageKind.NAT_BYTES)).isEqualByComparingTo("0.09");
        assertThat(byKind.get(UsageKind.NAT_HOURS)).isEqualByComparingTo("0.045");
        assertThat(byKind.get(UsageKind.LB_HOURS)).isEqualByComparingTo("0.09");
        assertThat(byKind.get(UsageKind.LB_LCU)).isEqualByComparingTo("0.072");
        BilledItem nat = bill.items().stream().filter(i -> i.kind() == UsageKind.NAT_BYTES).findFirst().orElseThrow();
        assertThat(nat.zone()).isEqualTo("us-east-2a");
        assertThat(nat.resource().id()).isEqualTo("nat-0aaa");
        assertThat(nat.usageAmount()).isEqualByComparingTo("2");
        assertThat(nat.firstHour()).isZero();
        assertThat(nat.endHour()).isEqualTo(1);
        assertThat(bill.setAside()).extracting(s -> s.reason() + "|" + s.lineItemType() + "|" + s.product() + "|"
                        + s.lines() + "|" + s.amount().stripTrailingZeros().toPlainString())
                .containsExactlyInAnyOrder(
                        SetAside.CREDIT_REFUND_TAX + "|Credit|AWSELB|1|-0.05",
                        SetAside.CREDIT_REFUND_TAX + "|Tax|AmazonEC2|1|0.1",
                        SetAside.NOT_NETWORK + "|Usage|AmazonEC2|1|0.096");
    }

    @Test
    void readsLegacyCsv_withLineItemHeaders() throws Exception {
        Path f = CurFixtures.legacyCsv(dir.resolve("cur.csv"), Scenario2048.bill());
        assertScenarioBill(reader.read(List.of(f)));
    }

    @Test
    void readsLegacyCsvGz_withTheEuPrefix() throws Exception {
        Path f = CurFixtures.legacyCsvGz(dir.resolve("cur-00001.csv.gz"), CurFixtures.withPrefix(Scenario2048.bill(), "EU-"));
        assertScenarioBill(reader.read(List.of(f)));
    }

    @Test
    void readsCur2Parquet_withoutPrefix_asForUsEast1() throws Exception {
        Path f = CurFixtures.cur2Parquet(dir.resolve("part-0.snappy.parquet"), CurFixtures.withPrefix(Scenario2048.bill(), ""));
        Bill bill = reader.read(List.of(f));
        assertScenarioBill(bill);
        assertThat(bill.items()).allSatisfy(i -> assertThat(i.kind().suffix()).isNotEmpty());
    }

    @Test
    void readsEveryFileOfAFolder_recursively_ignoringOtherFiles() throws Exception {
        List<Scenario2048.CurLine> lines = Scenario2048.bill();
        Path sub = Files.createDirectories(dir.resolve("data/BILLING_PERIOD=2026-11"));
        CurFixtures.cur2Parquet(sub.resolve("a.parquet"), lines.subList(0, 8));
        CurFixtures.legacyCsvGz(sub.resolve("b.csv.gz"), lines.subList(8, lines.size()));
        Files.writeString(dir.resolve("data/manifest.json"), "{}", StandardCharsets.UTF_8);
        Bill bill = reader.read(List.of(dir.resolve("data")));
        assertScenarioBill(bill);
        assertThat(bill.sources()).hasSize(2);
    }

    @Test
    void aFileWithoutTheNeededColumns_isBadInput_namingEveryMissingColumn() throws Exception {
        Path f = dir.resolve("not-a-cur.csv");
        Files.writeString(f, "lineItem/UsageType,lineItem/UnblendedCost,foo\nUSE2-DataTransfer-Out-Bytes,1,2\n");
        assertThatThrownBy(() -> reader.read(List.of(f)))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("not-a-cur.csv: missing CUR column(s)")
                .hasMessageContaining("line_item_resource_id (legacy CSV: lineItem/ResourceId)")
                .hasMessageContaining("line_item_usage_amount")
                .hasMessageContaining("line_item_usage_start_date")
                .hasMessageContaining("line_item_product_code")
                .hasMessageContaining("line_item_line_item_type")
                .hasMessageContaining("Include resource IDs")
                .message().doesNotContain("line_item_usage_type (").doesNotContain("line_item_unblended_cost (");
    }

    @Test
    void missingPaths_andOtherFileTypes_areBadInput_allListed() throws Exception {
        Path txt = Files.writeString(dir.resolve("bill.txt"), "x");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> reader.read(List.of(dir.resolve("nope.csv"), txt, empty)))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("nope.csv: no such file or folder")
                .hasMessageContaining("bill.txt: not a .parquet, .csv or .csv.gz file")
                .hasMessageContaining("no .parquet, .csv or .csv.gz file in this folder");
    }

    @Test
    void aCorruptParquetFile_isBadInput() throws Exception {
        Path f = Files.writeString(dir.resolve("broken.parquet"), "not parquet at all");
        assertThatThrownBy(() -> reader.read(List.of(f)))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("broken.parquet: not a readable Parquet file");
    }

    @Test
    void linesOfTheSameResourceAndHour_areAddedUp_andUnreadableDatesAreCounted() throws Exception {
        String header = String.join(",", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/ProductCode",
                "lineItem/UsageType", "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/UnblendedCost");
        Path f = dir.resolve("dup.csv");
        Files.writeString(f, header + "\n"
                + "Usage,2026-11-30T00:00:00Z,AmazonEC2,USE2-DataTransfer-Out-Bytes,i-1,1,0.09\n"
                + "DiscountedUsage,2026-11-30T00:00:00Z,AmazonEC2,USE2-DataTransfer-Out-Bytes,i-1,0.5,0.0450000001\n"
                + "Usage,yesterday,AmazonEC2,USE2-DataTransfer-Out-Bytes,i-1,1,0.09\n");
        Bill bill = reader.read(List.of(f));
        assertThat(bill.items()).singleElement().satisfies(i -> {
            assertThat(i.amount()).isEqualByComparingTo("0.1350000001");
            assertThat(i.usageAmount()).isEqualByComparingTo("1.5");
            assertThat(i.zone()).isEmpty();
        });
        assertThat(bill.warnings()).containsExactly("1 CUR line(s) have no readable usage start date and were skipped");
    }
}
