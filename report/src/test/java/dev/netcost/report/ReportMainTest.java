package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of runs that need no Prometheus (or find none). */
class ReportMainTest {
    @TempDir
    Path dir;

    @Test
    void help_printsUsage_andExitsZero() {
        ReportRun r = ReportRun.of("report", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("usage: netcost report --prometheus URL --start TIME --end TIME [--cur FILE_OR_DIR]...");
    }

    @Test
    void badOptions_exitTwo_listingEveryProblem() {
        ReportRun r = ReportRun.of("--prometheus", "http://127.0.0.1:1", "--start", "2026-12-01", "--end", "2026-11-30",
                "--format", "xml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("netcost report: --start 2026-12-01T00:00:00Z is not before --end")
                .contains("netcost report: --format 'xml'");
    }

    @Test
    void anUnreachablePrometheus_exitsOne_sayingWhatToCheck() {
        int port = FreePorts.loopbackPort();
        ReportRun r = ReportRun.of("--prometheus", "http://user:secret@127.0.0.1:" + port, "--start", "2026-11-30",
                "--end", "2026-11-30T01:00:00Z");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach Prometheus at http://***@127.0.0.1:" + port)
                .contains("possible fixes: check --prometheus").doesNotContain("secret");
    }

    @Test
    void aBadCur_exitsTwo_beforeAnyQuery() throws Exception {
        Path bad = Files.writeString(dir.resolve("bill.csv"), "a,b\n1,2\n");
        int port = FreePorts.loopbackPort();
        ReportRun r = ReportRun.of("--prometheus", "http://127.0.0.1:" + port, "--start", "2026-11-30",
                "--end", "2026-12-01", "--cur", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("bill.csv: missing CUR column(s) line_item_usage_type").doesNotContain("cannot reach");
    }
}
