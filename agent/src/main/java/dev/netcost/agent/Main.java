package dev.netcost.agent;

import java.io.PrintStream;

/** {@code netcost <command>}: the entry point of the shaded jar. */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** A VirtualMachineError (out of memory...): the process ends so that it is restarted. */
    static final int FATAL = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command and returns its exit code; {@code node} without --once and {@code webhook} run until SIGTERM. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("report")) {
            // The report (DuckDB, HTML) has its own jar so that the node agent's stays small.
            err.println("netcost: 'report' runs from its own jar: ./netcost report ... (report/target/netcost-report.jar)");
            return USAGE;
        }
        if (args.length > 0 && args[0].equals("demo")) {
            // The demo runs the report in-process: it lives next to the report's jar, never in the node agent's.
            err.println("netcost: 'demo' runs from its own jar: ./netcost demo ... (demo/target/netcost-demo.jar)");
            return USAGE;
        }
        CommandLine cl;
        try {
            cl = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("netcost: " + e.getMessage());
            err.println(CommandLine.USAGE);
            return USAGE;
        }
        return switch (cl.command()) {
            case "version" -> {
                out.println("netcost " + dev.netcost.core.Version.get());
                yield OK;
            }
            case "help" -> {
                out.println(CommandLine.USAGE);
                yield OK;
            }
            case "node" -> new NodeCommand(cl, System.getenv(), err).run();
            case "webhook" -> new WebhookCommand(cl, System.getenv(), err).run();
            default -> throw new IllegalStateException("BUG: unhandled command " + cl.command());
        };
    }
}
