package dev.netcost.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed command line.
 *
 * @param command   node, webhook, version or help
 * @param config    {@code --config FILE}, or null for built-in defaults
 * @param overrides {@code --set key=value}, in order
 * @param once      {@code --once}: one cycle, flush, exit 0 only if everything was delivered
 */
record CommandLine(String command, Path config, List<String> overrides, boolean once) {
    static final String USAGE = """
            usage: netcost node    [--config FILE] [--set key=value]... [--once]
                   netcost webhook --config FILE [--set key=value]...
                   netcost report  --prometheus URL --start TIME --end TIME [--cur FILE_OR_DIR]...
                                   [--by namespace|workload|label:KEY] [--format table|csv|json|html] [--out FILE]
                                   (its own jar; `netcost report --help` lists every option, docs/report.md)
                   netcost demo    [--check] [--keep]   (its own jar: the cost allocation demo, docs/demo.md)
                   netcost version
              --config FILE     YAML configuration (see docs/configuration.md)
              --set key=value   override one key, e.g. --set debug.listen=127.0.0.1:9900 or
                                --set remoteWrite[0].url=http://127.0.0.1:9090/api/v1/write
              --once            run one collection cycle, deliver it, and exit
                                (0: everything delivered, 1: not, 2: bad configuration)""";

    static CommandLine parse(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("missing command");
        }
        String command = args[0];
        if (command.equals("--help") || command.equals("-h")) {
            command = "help";
        }
        if (!List.of("node", "webhook", "version", "help").contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        Path config = null;
        List<String> overrides = new ArrayList<>();
        boolean once = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--config", "-c" -> config = Path.of(value(args, ++i, a));
                case "--set" -> overrides.add(value(args, ++i, a));
                case "--once" -> once = true;
                default -> {
                    if (a.startsWith("--config=")) {
                        config = Path.of(a.substring("--config=".length()));
                    } else if (a.startsWith("--set=")) {
                        overrides.add(a.substring("--set=".length()));
                    } else {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
                }
            }
        }
        return new CommandLine(command, config, List.copyOf(overrides), once);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
