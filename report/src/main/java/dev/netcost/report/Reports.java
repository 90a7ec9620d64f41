package dev.netcost.report;

import dev.netcost.report.output.Report;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;

/**
 * {@code netcost report} as a library, for a program that wants the {@link Report} itself (the demo
 * checks its figures): the same options, checks and output as the command line.
 */
public final class Reports {
    private Reports() {
    }

    /**
     * Makes the report that {@code netcost report <args>} makes, writes it where {@code --out} says
     * (standard output: {@code out}), and returns it.
     *
     * @throws ReportException with the command line's exit code and message
     */
    public static Report make(List<String> args, PrintStream out, PrintStream err, Clock clock) throws ReportException {
        ReportOptions options = ReportOptions.parse(args);
        return new ReportCommand(options, out, err, clock, false).run();
    }
}
