package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.VictoriaMetricsProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same report from a real VictoriaMetrics (its own {@code increase}: no extrapolation, the last
 * sample before each hour as the base), with the scenario moved to end a few hours before now, since
 * VictoriaMetrics keeps only recent data.
 */
class ReportVictoriaMetricsIT {
    @TempDir
    Path dir;

    @Test
    void victoriaMetrics_givesTheSameAllocationAsPrometheus() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(6, ChronoUnit.HOURS);
        long shift = start.getEpochSecond() - Scenario2048.WINDOW.start().getEpochSecond();
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start()) {
            HttpResponse<String> imported = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            vm.baseUrl().resolve("api/v1/import/prometheus"))
                    .POST(HttpRequest.BodyPublishers.ofString(Scenario2048.prometheusText(shift))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(imported.statusCode()).as(imported.body()).isEqualTo(204);
            vm.forceFlush();
            Path cur = Files.writeString(dir.resolve("bill.csv"), Scenario2048.legacyCsv(Scenario2048.bill(), start),
                    StandardCharsets.UTF_8);
            ReportRun r = ReportRun.of("--prometheus", vm.baseUrl().toString(), "--start", start.toString(),
                    "--end", start.plusSeconds(3 * 3600).toString(), "--cur", cur.toString(), "--cluster", "demo",
                    "--format", "csv", "--precision", "4");
            assertThat(r.exitCode()).as(r.err() + "\n" + vm.logTail()).isZero();
            assertThat(r.out()).isEqualTo(ReportIT.EXPECTED_CUR_CSV);
        }
    }
}
