package dev.netcost.iptables;

// TODO(integrator): on branch wt-nft only CounterSink→RuleSink / CounterReader→RuleReader (and ReadStatus accessors) were renamed here to compile; take the other helper's version.

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The fallback reader: parses {@code iptables-legacy-save -c -t mangle} or {@code iptables-nft-save -c -t mangle}. */
final class SaveCounterReader implements RuleReader {
    private final CommandRunner runner;
    private final List<String> argv;
    private final IptablesSaveParser parser;

    SaveCounterReader(CommandRunner runner, String saveCommand, ChainNames names) {
        this.runner = runner;
        this.argv = List.of(saveCommand, "-c", "-t", "mangle");
        this.parser = new IptablesSaveParser(names);
    }

    @Override
    public String name() {
        return "save";
    }

    @Override
    public ReadStatus read(RuleSink sink) throws Exception {
        CommandRunner.Result r = runner.check(argv, null);
        return parser.read(new String(r.stdout(), StandardCharsets.ISO_8859_1), sink);
    }
}
