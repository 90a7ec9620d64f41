package dev.netcost.demo;

import java.io.PrintStream;
import java.util.List;

/** {@code netcost demo [--check] [--keep] [--backend auto|nft|legacy]}: the entry point of the demo's jar. */
public final class DemoMain {
    static final String USAGE = """
            usage: netcost demo [--check] [--keep] [--backend auto|nft|legacy]
              Builds a two-zone cluster out of network namespaces (two nodes with a real netcost node agent
              each, the 2048 game and a shop behind one shared ALB, a NAT gateway, an "internet" host), the
              webhook and a real Prometheus with netcost's cost rules, sends planned traffic, writes a demo
              bill and ends with netcost report: the ALB's cost split between the teams. About two minutes;
              needs root, the built jars and scripts/install-deps.sh's packages. Everything is removed at
              the end, also on failure or Ctrl-C; the host's own network and firewall are never touched.
              --check     also verify every figure (CI): measured bytes vs payload, the ALB split vs the plan,
                          the report vs the bill to the cent, the cost rules vs the report, nothing left behind
              --keep      leave Prometheus (the demo's data and rules) and the namespaces up until Ctrl-C
              --backend   the node agents' iptables.backend (default auto: netcost's nft table)
            writes: netcost-data/demo-plan.json, demo-bill-cur.csv, demo-report.csv, demo-report.html, demo-logs/
            exit codes: 0 done (and every check passed), 1 a step or a check failed, 2 bad usage or a missing
                        prerequisite (not root, a program or jar missing)""";

    private DemoMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        List<String> list = !args.isEmpty() && args.get(0).equals("demo") ? args.subList(1, args.size()) : args;
        DemoOptions options;
        try {
            options = DemoOptions.parse(list);
        } catch (IllegalArgumentException e) {
            err.println("netcost demo: " + e.getMessage());
            err.println(USAGE);
            return DemoException.PREREQUISITE;
        }
        if (options.help()) {
            out.println(USAGE);
            return 0;
        }
        try {
            return new Demo(options, out, err).run() ? 0 : DemoException.FAILED;
        } catch (DemoException e) {
            err.println("netcost demo: " + e.getMessage());
            return e.exitCode();
        }
    }
}
