package dev.netcost.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the kernel's state and the wanted rules into one {@code iptables-restore --noflush -c}
 * transaction that touches only what differs:
 * <ul>
 *   <li>the main and classification chains (no counter of theirs is read) are rewritten when their
 *       rules differ: a class-set change rewrites only them;</li>
 *   <li>in a class chain, only the counting rules that differ are deleted ({@code -D}) or appended
 *       ({@code -A}), compared as a multiset (the append order of earlier cycles may differ from the
 *       sorted order), so every other rule keeps its counters;</li>
 *   <li>the counting rules of an address now owned by another pod ({@code reused}) are deleted and
 *       appended again, so they start from zero;</li>
 *   <li>a chain's tail rule (a load balancer's goto for the pods outside its targets) must stay
 *       last: whenever a counting rule is appended to its chain, or it is missing, doubled or not
 *       last, every copy is deleted and it is appended after the chain's counting rules (it counts
 *       nothing that is read);</li>
 *   <li>missing class chains are created; unused ones, and any other owned chain not in the layout
 *       (the per-pod chains of earlier versions), are flushed and deleted;</li>
 *   <li>exactly one jump from POSTROUTING to the main chain: inserted first when missing, extras deleted.</li>
 * </ul>
 * An empty plan means nothing to do.
 */
final class RestorePlanner {
    private final ChainNames names;

    RestorePlanner(ChainNames names) {
        this.names = names;
    }

    /** The restore input bringing {@code current} to {@code wanted}, or "" when they already agree. */
    String plan(MangleSnapshot current, AccountingRules wanted) {
        return plan(current, wanted, Set.of());
    }

    /**
     * The restore input bringing {@code current} to {@code wanted}, or "" when they already agree.
     *
     * @param reused pod addresses (as iptables-save prints them) whose counting rules were made for
     *               another pod: they are deleted and appended again, starting from zero
     */
    String plan(MangleSnapshot current, AccountingRules wanted, Set<String> reused) {
        StringBuilder declare = new StringBuilder();
        StringBuilder remove = new StringBuilder();
        StringBuilder rules = new StringBuilder();
        StringBuilder deletes = new StringBuilder();
        StringBuilder appends = new StringBuilder();

        rewriteIfDifferent(current, names.main(), wanted.mainRules(), declare, rules);
        for (Direction d : Direction.values()) {
            rewriteIfDifferent(current, names.classify(d), wanted.classifyRules(d), declare, rules);
        }
        for (AccountingRules.ClassChain chain : wanted.classChains().values()) {
            List<MangleSnapshot.SavedRule> have = current.owned().get(chain.name());
            if (have == null) {
                declare.append(':').append(chain.name()).append(" - [0:0]\n");
            }
            Map<String, Integer> existing = new HashMap<>();
            if (have != null) {
                for (MangleSnapshot.SavedRule r : have) {
                    existing.merge(r.spec(), 1, Integer::sum);
                }
            }
            int appendsBefore = appends.length();
            for (AccountingRules.CountingRule r : chain.rules()) {
                Integer n = existing.get(r.spec());
                if (n == null) {
                    appends.append("[0:0] ").append(r.spec()).append('\n');
                    continue;
                }
                if (n == 1) {
                    existing.remove(r.spec());
                } else {
                    existing.put(r.spec(), n - 1);
                }
                if (reused.contains(r.address())) {
                    deletes.append("-D").append(r.spec().substring(2)).append('\n');
                    appends.append("[0:0] ").append(r.spec()).append('\n');
                }
            }
            boolean tailInPlace = chain.tail() != null && appendsBefore == appends.length() && have != null && !have.isEmpty()
                    && have.get(have.size() - 1).spec().equals(chain.tail()) && existing.get(chain.tail()) == 1;
            if (tailInPlace) {
                existing.remove(chain.tail()); // else every copy goes below, and the tail is appended after the counting rules
            }
            if (have != null) {
                for (MangleSnapshot.SavedRule r : have) { // in the kernel's order, each extra copy once
                    Integer n = existing.get(r.spec());
                    if (n != null) {
                        deletes.append("-D").append(r.spec().substring(2)).append('\n');
                        if (n == 1) {
                            existing.remove(r.spec());
                        } else {
                            existing.put(r.spec(), n - 1);
                        }
                    }
                }
            }
            if (chain.tail() != null && !tailInPlace) {
                appends.append("[0:0] ").append(chain.tail()).append('\n');
            }
        }
        for (String chain : current.owned().keySet()) {
            if (!isInLayout(chain, wanted)) {
                remove.append("-F ").append(chain).append('\n');
                remove.append("-X ").append(chain).append('\n');
            }
        }
        StringBuilder jumps = new StringBuilder();
        if (current.jumps().isEmpty()) {
            jumps.append("-I POSTROUTING 1").append(wanted.jumpRule().substring("-A POSTROUTING".length())).append('\n');
        } else {
            for (int i = 1; i < current.jumps().size(); i++) {
                jumps.append("-D").append(current.jumps().get(i).substring(2)).append('\n');
            }
        }
        if (declare.length() == 0 && remove.length() == 0 && rules.length() == 0 && deletes.length() == 0
                && appends.length() == 0 && jumps.length() == 0) {
            return "";
        }
        // Declarations first: ':' on an existing chain flushes it (--noflush), so references to
        // chains being removed are gone before they are deleted, and new chains exist before rules
        // go to them. Deletes next: a load balancer's old tail may refer to a chain being removed (and
        // iptables-nft resolves a deleted rule's target); a reused address's rule is deleted, then added anew.
        return "*mangle\n" + declare + deletes + remove + rules + appends + jumps + "COMMIT\n";
    }

    private boolean isInLayout(String chain, AccountingRules wanted) {
        return chain.equals(names.main()) || chain.equals(names.classify(Direction.EGRESS))
                || chain.equals(names.classify(Direction.INGRESS)) || wanted.classChains().containsKey(chain);
    }

    private static void rewriteIfDifferent(MangleSnapshot current, String chain, List<String> want, StringBuilder declare,
                                           StringBuilder rules) {
        List<String> have = specs(current.owned().get(chain));
        if (have != null && have.equals(want)) {
            return;
        }
        declare.append(':').append(chain).append(" - [0:0]\n");
        for (String r : want) {
            rules.append(r).append('\n');
        }
    }

    /** The restore input removing the jump and every chain netcost owns, or "" when nothing is there. */
    String cleanup(MangleSnapshot current) {
        if (current.owned().isEmpty() && current.jumps().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("*mangle\n");
        for (String j : current.jumps()) {
            sb.append("-D").append(j.substring(2)).append('\n');
        }
        for (String chain : current.owned().keySet()) {
            sb.append("-F ").append(chain).append('\n');
        }
        for (String chain : current.owned().keySet()) {
            sb.append("-X ").append(chain).append('\n');
        }
        return sb.append("COMMIT\n").toString();
    }

    private static List<String> specs(List<MangleSnapshot.SavedRule> rules) {
        if (rules == null) {
            return null;
        }
        List<String> out = new ArrayList<>(rules.size());
        for (MangleSnapshot.SavedRule r : rules) {
            out.add(r.spec());
        }
        return out;
    }
}
