package dev.netcost.iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings netcost's chains in the mangle table to the wanted state: reads the table with
 * {@code iptables-save -c}, plans the difference and applies it in one
 * {@code iptables-restore --noflush -c -w} transaction (atomic, under the xtables lock).
 *
 * <p>It remembers, in memory, which pod each address was last reconciled for: when an address now
 * belongs to another pod, its counting rules are deleted and added again in the same transaction,
 * so the new pod's counters start from zero. A new reconciler (an agent restart) knows nothing and
 * adopts the existing rules for whichever pod has the address now.
 */
final class IptablesReconciler {
    private final CommandRunner runner;
    private final IptablesFamily family;
    private final IptablesConfig.Commands commands;
    private final IptablesSaveParser parser;
    private final RestorePlanner planner;
    private final String lockWaitSeconds;
    private final IpsetReconciler sets;
    private Map<String, String> owners = Map.of();

    IptablesReconciler(CommandRunner runner, IptablesFamily family, IptablesConfig.Commands commands, ChainNames names,
                       Duration lockWait) {
        this(runner, family, commands, names, lockWait, null);
    }

    /** With {@code sets}, the ipsets the wanted rules match against are created and updated first, and unused ones destroyed after. */
    IptablesReconciler(CommandRunner runner, IptablesFamily family, IptablesConfig.Commands commands, ChainNames names,
                       Duration lockWait, IpsetReconciler sets) {
        this.sets = sets;
        this.runner = runner;
        this.family = family;
        this.commands = commands;
        this.parser = new IptablesSaveParser(names);
        this.planner = new RestorePlanner(names);
        this.lockWaitSeconds = Long.toString(Math.max(1, (lockWait.toMillis() + 999) / 1000));
    }

    IptablesFamily family() {
        return family;
    }

    MangleSnapshot snapshot() throws IOException, InterruptedException {
        CommandRunner.Result r = runner.check(List.of(commands.save(family), "-c", "-t", "mangle"), null);
        return parser.snapshot(r.stdoutText());
    }

    /**
     * Applies the difference (ipsets first, then the rules, then unused ipsets destroyed); returns the
     * ipset and iptables restore input applied ("" when nothing changed).
     */
    String reconcile(AccountingRules wanted) throws IOException, InterruptedException {
        if (sets == null && !wanted.sets().isEmpty()) {
            throw new IllegalStateException("BUG: rules match ipsets but no ipset reconciler was given");
        }
        String setScript = sets == null ? "" : sets.sync(wanted.sets());
        Set<String> reused = new HashSet<>();
        for (Map.Entry<String, String> e : wanted.owners().entrySet()) {
            String before = owners.get(e.getKey());
            if (before != null && !before.equals(e.getValue())) {
                reused.add(e.getKey());
            }
        }
        String script = planner.plan(snapshot(), wanted, reused);
        apply(script);
        owners = wanted.owners();
        if (sets != null) {
            setScript += sets.removeUnused(wanted.sets().keySet());
        }
        return setScript + script;
    }

    /** Removes the jump and every chain netcost owns, then netcost's ipsets of the family; returns the input applied. */
    String cleanup() throws IOException, InterruptedException {
        String script = planner.cleanup(snapshot());
        apply(script);
        owners = Map.of();
        return sets == null ? script : script + sets.destroyAll();
    }

    private void apply(String script) throws IOException, InterruptedException {
        if (script.isEmpty()) {
            return;
        }
        runner.check(List.of(commands.restore(family), "--noflush", "-c", "-w", lockWaitSeconds),
                script.getBytes(StandardCharsets.UTF_8));
    }
}
