package dev.netcost.report;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;

/** {@code netcost report ...}: the entry point of the report's jar (the launcher passes the arguments after "report"). */
public final class ReportMain {
    private ReportMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC(),
                dev.netcost.report.prometheus.ProgressBar.stderrIsTerminal()));
    }

    /** Makes the report and returns the exit code: 0 done, 1 failure, 2 bad input. */
    static int run(String[] args, PrintStream out, PrintStream err, Clock clock, boolean terminal) {
        List<String> list = Arrays.asList(args);
        if (!list.isEmpty() && list.get(0).equals("report")) {
            list = list.subList(1, list.size());
        }
        if (list.contains("--help") || list.contains("-h")) {
            out.println(ReportOptions.USAGE);
            return 0;
        }
        try {
            ReportOptions options = ReportOptions.parse(list);
            new ReportCommand(options, out, err, clock, terminal).run();
            return 0;
        } catch (ReportException e) {
            err.println("netcost report: " + e.getMessage().replace("\n", "\nnetcost report: "));
            if (e.exitCode() == ReportException.BAD_INPUT && e.getMessage().contains("--") && list.isEmpty()) {
                err.println(ReportOptions.USAGE);
            }
            return e.exitCode();
        } catch (RuntimeException e) {
            err.println("netcost report: failed: " + e);
            e.printStackTrace(err);
            return ReportException.FAILURE;
        }
    }
}
