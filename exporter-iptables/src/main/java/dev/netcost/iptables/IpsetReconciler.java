package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the ipsets of one family ({@code PREFIX-4-*} or {@code PREFIX-6-*}, type {@code hash:net})
 * equal to the wanted members. A set whose members already agree is not touched; a changed one is
 * replaced atomically in one {@code ipset restore}: a temporary set ({@code NAME-T}) is filled, swapped
 * with the live one (rules referencing the name see the new members at once; the rules, and so
 * their counters, are untouched) and destroyed. Sets live in the network namespace, so the program
 * runs through the same {@link CommandRunner} (and {@code nsenter}) as iptables.
 *
 * <p>Order with the rules: {@link #sync} before the rules referencing a set are restored,
 * {@link #removeUnused} and {@link #destroyAll} after the rules are gone (a referenced set cannot be
 * destroyed).
 */
final class IpsetReconciler {
    static final String TEMP_SUFFIX = "-T";

    private final CommandRunner runner;
    private final String ipset;
    private final boolean ipv6;
    private final List<String> ownNames;
    // netcost's sets of this family known to exist since the last listing (null: unknown, list again),
    // so that a reconcile with nothing to destroy runs no `ipset list`.
    private Set<String> present;

    IpsetReconciler(CommandRunner runner, String ipset, ChainNames names, boolean ipv6) {
        this.runner = runner;
        this.ipset = ipset;
        this.ipv6 = ipv6;
        List<String> own = new ArrayList<>();
        for (TrafficClass c : new TrafficClass[] {TrafficClass.SAME_ZONE, TrafficClass.CROSS_ZONE, TrafficClass.IN_VPC}) {
            own.add(AccountingRules.setName(names, ipv6, c));
        }
        this.ownNames = List.copyOf(own);
    }

    /** Creates or updates every wanted set; returns the restore input applied ("" when all agreed). */
    String sync(Map<String, List<String>> wanted) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder();
        for (Map.Entry<String, List<String>> e : wanted.entrySet()) {
            String name = e.getKey();
            Set<String> have = members(name);
            Set<String> want = new HashSet<>(e.getValue());
            if (have != null && have.equals(want)) {
                continue;
            }
            String create = " hash:net family " + (ipv6 ? "inet6" : "inet") + " maxelem "
                    + Math.max(65536, Integer.highestOneBit(Math.max(1, want.size())) * 2);
            String temp = name + TEMP_SUFFIX;
            if (have == null) {
                script.append("create ").append(name).append(create).append(" -exist\n");
            }
            script.append("create ").append(temp).append(create).append(" -exist\n");
            script.append("flush ").append(temp).append('\n');
            for (String m : e.getValue()) {
                script.append("add ").append(temp).append(' ').append(m).append(" -exist\n");
            }
            script.append("swap ").append(temp).append(' ').append(name).append('\n');
            script.append("destroy ").append(temp).append('\n');
        }
        Set<String> known = present;
        present = null; // a failed restore may leave anything behind: list again next time
        restore(script.toString());
        if (known != null) {
            known.addAll(wanted.keySet());
            present = known;
        }
        return script.toString();
    }

    /** Destroys netcost's sets of this family that no rule needs any more; call after the rules are reconciled. */
    String removeUnused(Set<String> wanted) throws IOException, InterruptedException {
        if (present != null && wanted.containsAll(present)) {
            return "";
        }
        StringBuilder script = new StringBuilder();
        Set<String> existing;
        try {
            existing = existing();
        } catch (IOException e) {
            if (!wanted.isEmpty()) {
                throw e;
            }
            // No usable ipset (program or kernel support missing): no set of netcost's can exist either.
            present = new HashSet<>();
            return "";
        }
        Set<String> own = new HashSet<>();
        for (String name : ownNames) {
            for (String n : List.of(name, name + TEMP_SUFFIX)) {
                if (!existing.contains(n)) {
                    continue;
                }
                if (wanted.contains(n)) {
                    own.add(n);
                } else {
                    script.append("destroy ").append(n).append('\n');
                }
            }
        }
        present = null;
        restore(script.toString());
        present = own;
        return script.toString();
    }

    /** Destroys every set netcost made for this family; call after the rules are removed. */
    String destroyAll() throws IOException, InterruptedException {
        return removeUnused(Set.of());
    }

    /** Names of all sets in the namespace. */
    private Set<String> existing() throws IOException, InterruptedException {
        String out = runner.check(List.of(ipset, "list", "-n"), null).stdoutText();
        Set<String> names = new HashSet<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        return names;
    }

    /** The members of a set as {@code ipset save} prints them, or null when the set does not exist (or is of another type). */
    private Set<String> members(String name) throws IOException, InterruptedException {
        CommandRunner.Result r = runner.run(List.of(ipset, "save", name), null);
        if (r.exitCode() != 0) {
            if (r.stderr().contains("does not exist")) {
                return null;
            }
            throw new IOException(ipset + " save " + name + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        Set<String> out = new HashSet<>();
        String family = ipv6 ? "inet6" : "inet";
        for (String line : r.stdoutText().split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length >= 5 && f[0].equals("create")) {
                if (!f[2].equals("hash:net") || !f[3].equals("family") || !f[4].equals(family)) {
                    throw new IOException("ipset " + name + " exists with another type (" + line.strip()
                            + "); possible fixes: destroy it (ipset destroy " + name + ") or change iptables.chainPrefix");
                }
            } else if (f.length >= 3 && f[0].equals("add")) {
                out.add(f[2]);
            }
        }
        return out;
    }

    private void restore(String script) throws IOException, InterruptedException {
        if (!script.isEmpty()) {
            runner.check(List.of(ipset, "restore"), script.getBytes(StandardCharsets.UTF_8));
        }
    }
}
