package dev.netcost.iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Brings netcost's nf_tables table to an {@link NftRuleset} in one atomic {@code nft -f -}
 * transaction (through the {@link CommandRunner}, so in {@code iptables.netns} when set):
 * table, chains, sets and maps declared with {@code add} (a no-op when they exist), chains, sets and
 * maps flushed and refilled, counters added only when missing and deleted (after the maps that
 * reference them are flushed) when no longer wanted. Existing counters therefore keep running, and a
 * restarted agent adopts them. The pod each address was last reconciled for is remembered (in
 * memory): when an address now belongs to another pod its counters are deleted and added again in
 * the same transaction, so the new pod starts from zero. One reconcile at a time; not thread-safe.
 */
final class NftReconciler {
    /** What a reconcile did: the script applied ({@code ""} when nothing had to change) and the counters planned. */
    record Applied(String script, int counters) {
    }

    private final CommandRunner runner;
    private final String nft;
    private final String table;
    private NftRuleset lastApplied;
    private Map<String, String> podByAddress = Map.of();

    /** @param nft the nft program ({@code "nft"} to look it up in {@code PATH}) */
    NftReconciler(CommandRunner runner, String nft, String table) {
        this.runner = runner;
        this.nft = nft;
        this.table = table;
    }

    String table() {
        return table;
    }

    Applied reconcile(NftRuleset wanted) throws IOException, InterruptedException {
        if (!wanted.table().equals(table)) {
            throw new IllegalArgumentException("BUG: ruleset of table " + wanted.table() + " given to the reconciler of " + table);
        }
        NftTableState current = current();
        int planned = wanted.counters().size();
        if (wanted.equals(lastApplied) && matches(current, wanted)) {
            return new Applied("", planned);
        }
        Set<String> reset = new LinkedHashSet<>();
        for (Map.Entry<String, String> c : wanted.counters().entrySet()) {
            String before = podByAddress.get(c.getValue());
            if (before != null && !before.equals(wanted.podByAddress().get(c.getValue())) && current.counters().contains(c.getKey())) {
                reset.add(c.getKey());
            }
        }
        String script = plan(wanted, current, reset);
        lastApplied = null;
        runner.check(List.of(nft, "-f", "-"), script.getBytes(StandardCharsets.UTF_8));
        lastApplied = wanted;
        podByAddress = new HashMap<>(wanted.podByAddress());
        return new Applied(script, planned);
    }

    /** Whether the kernel's table has exactly the wanted counters, sets, maps and chains (elements are not listed). */
    private static boolean matches(NftTableState current, NftRuleset wanted) {
        if (!current.exists() || !current.counters().equals(wanted.counters().keySet())) {
            return false;
        }
        Set<String> sets = new LinkedHashSet<>();
        wanted.sets().forEach(s -> sets.add(s.name()));
        Set<String> maps = new LinkedHashSet<>();
        wanted.maps().forEach(m -> maps.add(m.name()));
        if (!current.sets().equals(sets) || !current.maps().equals(maps)
                || !current.chains().keySet().equals(wanted.rules().keySet())) {
            return false;
        }
        for (Map.Entry<String, List<String>> chain : wanted.rules().entrySet()) {
            List<String> have = current.chains().get(chain.getKey());
            if (chain.getKey().equals("postrouting")) {
                if (have.isEmpty() || !have.get(0).equals(NftRuleset.HOOK) || !have.subList(1, have.size()).equals(chain.getValue())) {
                    return false;
                }
            } else if (!have.equals(chain.getValue())) {
                return false;
            }
        }
        return true;
    }

    /**
     * The transaction from {@code current} to {@code wanted}; the counters in {@code reset} (existing
     * ones whose address changed pods) are deleted and added again.
     */
    static String plan(NftRuleset wanted, NftTableState current, Set<String> reset) {
        String t = "inet " + wanted.table();
        StringBuilder s = new StringBuilder(256 + wanted.counters().size() * 96);
        s.append("add table ").append(t).append('\n');
        for (String chain : NftRuleset.CHAINS) {
            s.append("add chain ").append(t).append(' ').append(chain);
            if (chain.equals("postrouting")) {
                s.append(" { ").append(NftRuleset.HOOK).append(" }");
            }
            s.append('\n');
        }
        Set<String> wantedSets = new LinkedHashSet<>();
        for (NftRuleset.NamedSet set : wanted.sets()) {
            wantedSets.add(set.name());
            s.append("add set ").append(t).append(' ').append(set.name()).append(" { type ")
                    .append(set.ipv6() ? "ipv6_addr" : "ipv4_addr").append("; flags interval; }\n");
        }
        Set<String> wantedMaps = new LinkedHashSet<>();
        for (NftRuleset.CounterMap map : wanted.maps()) {
            wantedMaps.add(map.name());
            String key = map.ipv6() ? "ipv6_addr" : "ipv4_addr";
            s.append("add map ").append(t).append(' ').append(map.name()).append(" { type ")
                    .append(map.pair() ? key + " . " + key : key).append(" : counter; }\n");
        }
        for (String chain : NftRuleset.CHAINS) {
            s.append("flush chain ").append(t).append(' ').append(chain).append('\n');
        }
        for (String chain : current.chains().keySet()) {
            if (!NftRuleset.CHAINS.contains(chain)) {
                s.append("flush chain ").append(t).append(' ').append(chain).append('\n');
            }
        }
        for (String set : wantedSets) {
            s.append("flush set ").append(t).append(' ').append(set).append('\n');
        }
        Set<String> maps = new LinkedHashSet<>(wantedMaps);
        maps.addAll(current.maps());
        for (String map : maps) {
            s.append("flush map ").append(t).append(' ').append(map).append('\n');
        }
        for (String chain : current.chains().keySet()) {
            if (!NftRuleset.CHAINS.contains(chain)) {
                s.append("delete chain ").append(t).append(' ').append(chain).append('\n');
            }
        }
        for (String map : current.maps()) {
            if (!wantedMaps.contains(map)) {
                s.append("delete map ").append(t).append(' ').append(map).append('\n');
            }
        }
        for (String set : current.sets()) {
            if (!wantedSets.contains(set)) {
                s.append("delete set ").append(t).append(' ').append(set).append('\n');
            }
        }
        for (String counter : current.counters()) {
            if (!wanted.counters().containsKey(counter) || reset.contains(counter)) {
                s.append("delete counter ").append(t).append(' ').append(counter).append('\n');
            }
        }
        for (String counter : wanted.counters().keySet()) {
            if (!current.counters().contains(counter) || reset.contains(counter)) {
                s.append("add counter ").append(t).append(' ').append(counter).append('\n');
            }
        }
        for (NftRuleset.NamedSet set : wanted.sets()) {
            s.append("add element ").append(t).append(' ').append(set.name()).append(" { ")
                    .append(String.join(", ", set.elements())).append(" }\n");
        }
        for (NftRuleset.CounterMap map : wanted.maps()) {
            s.append("add element ").append(t).append(' ').append(map.name()).append(" { ");
            boolean first = true;
            for (Map.Entry<String, String> e : map.elements().entrySet()) {
                if (!first) {
                    s.append(", ");
                }
                first = false;
                s.append(e.getKey()).append(" : \"").append(e.getValue()).append('"');
            }
            s.append(" }\n");
        }
        for (Map.Entry<String, List<String>> chain : wanted.rules().entrySet()) {
            for (String rule : chain.getValue()) {
                s.append("add rule ").append(t).append(' ').append(chain.getKey()).append(' ').append(rule).append('\n');
            }
        }
        return s.toString();
    }

    /** The table as the kernel has it now; {@link NftTableState#ABSENT} when there is none. */
    NftTableState current() throws IOException, InterruptedException {
        CommandRunner.Result r = runner.run(List.of(nft, "-t", "list", "table", "inet", table), null);
        if (r.exitCode() != 0) {
            if (tableAbsent(r)) {
                return NftTableState.ABSENT;
            }
            throw new IOException(nft + " -t list table inet " + table + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        return NftTableState.parse(new String(r.stdout(), StandardCharsets.UTF_8));
    }

    /** Deletes netcost's table and everything in it (nothing when it does not exist); returns what was run. */
    String cleanup() throws IOException, InterruptedException {
        lastApplied = null;
        podByAddress = Map.of();
        CommandRunner.Result r = runner.run(List.of(nft, "delete", "table", "inet", table), null);
        if (r.exitCode() != 0) {
            if (tableAbsent(r)) {
                return "";
            }
            throw new IOException(nft + " delete table inet " + table + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        return "delete table inet " + table + "\n";
    }

    /**
     * nft's answer when the table does not exist: exit code 1 and ENOENT's text in its error
     * ({@code "Error: No such file or directory"} from list, {@code "Error: Could not process rule: No
     * such file or directory"} from delete).
     */
    static boolean tableAbsent(CommandRunner.Result r) {
        return r.exitCode() == 1 && r.stderr().startsWith("Error:") && r.stderr().contains("No such file or directory");
    }
}
