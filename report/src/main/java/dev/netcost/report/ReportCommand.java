package dev.netcost.report;

import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.BillAllocator;
import dev.netcost.report.allocate.Ledger;
import dev.netcost.report.allocate.ListPriceEstimator;
import dev.netcost.report.cur.CurReader;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.PriceBook;
import dev.netcost.report.output.Report;
import dev.netcost.report.output.ReportBuilder;
import dev.netcost.report.prometheus.MeasurementLoader;
import dev.netcost.report.prometheus.ProgressBar;
import dev.netcost.report.prometheus.PrometheusClient;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code netcost report}: reads the bill (when given, first, so a bad file fails before any query),
 * the measurements from Prometheus, allocates, and writes the report.
 */
final class ReportCommand {
    private final ReportOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    private final boolean terminal;

    /** @param terminal whether standard error is a terminal (the progress bar is drawn only then) */
    ReportCommand(ReportOptions options, PrintStream out, PrintStream err, Clock clock, boolean terminal) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.terminal = terminal;
    }

    Report run() throws ReportException {
        Bill bill = options.cur().isEmpty() ? null : new CurReader(options.window()).read(options.cur());
        Measurements m;
        String url;
        try (PrometheusClient client = PrometheusClient.create(options.prometheus())) {
            url = client.displayUrl();
            MeasurementLoader loader = new MeasurementLoader(client, options.cluster(), options.chunk(),
                    steps -> new ProgressBar(err, options.progress() && terminal, steps));
            m = loader.load(options.window(), options.grouping());
        }
        if (!m.hasData()) {
            throw ReportException.badInput("no netcost data between " + options.window().start() + " and "
                    + options.window().end() + " in " + url
                    + (options.cluster() == null ? "" : " for cluster=\"" + options.cluster() + "\"")
                    + " (netcost_pod_network_bytes_total, netcost_node_info, netcost_load_balancer_info); possible fixes:"
                    + " check --start/--end and --cluster, and that the netcost agents write to this Prometheus");
        }
        Ledger ledger;
        List<String> sources = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!m.hasTraffic()) {
            warnings.add("no cross-zone, internet or load-balancer traffic measured in this window");
        }
        if (bill != null) {
            ledger = BillAllocator.allocate(m, bill);
            sources.add("measurements: " + url);
            sources.addAll(bill.sources());
            warnings.addAll(bill.warnings());
            if (bill.items().isEmpty() && bill.setAside().isEmpty()) {
                warnings.add("the CUR has no line whose usage starts in this window");
            }
        } else {
            if (m.prices().isEmpty() || !(m.prices().has(PriceBook.USD_PER_GB) || m.prices().has(PriceBook.USD_PER_HOUR))) {
                throw ReportException.badInput("no price series (" + PriceBook.USD_PER_GB + ", " + PriceBook.USD_PER_HOUR
                        + ") between " + options.window().start() + " and " + options.window().end() + " in " + url
                        + "; possible fixes: pass the bill with --cur, or configure the price book (pricing:) so"
                        + " the webhook's leader emits it");
            }
            ledger = ListPriceEstimator.estimate(m);
            sources.add("measurements and prices: " + url);
        }
        Report report = ReportBuilder.build(m, ledger, bill, options.grouping(), options.precision(),
                sources, warnings, clock.instant());
        write(report);
        return report;
    }

    private void write(Report report) throws ReportException {
        Path target = options.out();
        if (target == null) {
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            try {
                options.format().render(report, w);
                w.flush();
            } catch (IOException e) {
                throw ReportException.failure("cannot write the report to standard output: " + e.getMessage(), e);
            }
            return;
        }
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                options.format().render(report, w);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw ReportException.failure("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
        err.println("netcost report: wrote " + target + " (" + options.format().name().toLowerCase(java.util.Locale.ROOT)
                + "): " + (report.source().equals("cur") ? "billed " : "list price ")
                + report.totals().billed().toPlainString() + " USD = allocated "
                + report.totals().allocated().toPlainString() + " + unallocated " + report.totals().unallocated().toPlainString());
    }
}
