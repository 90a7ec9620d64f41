package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the kernel's state and the wanted rules into one {@code iptables-restore --noflush -c}
 * transaction that touches only what differs:
 * <ul>
 *   <li>a pod chain whose rules are already right is left alone, so its counters run on untouched;</li>
 *   <li>a pod chain whose rules changed (the class sets changed) is rewritten with its counters carried
 *       over, summed per class onto the first new rule of that class, as long as it was made for the
 *       same pod; a chain made for another pod (a reused IP) starts from zero;</li>
 *   <li>pod chains of pods that are gone are flushed and deleted; the main chain is rewritten when the
 *       set of pods changed (its own counters are never read);</li>
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
        StringBuilder declare = new StringBuilder();
        StringBuilder remove = new StringBuilder();
        StringBuilder rules = new StringBuilder();
        String main = names.main();

        List<String> currentMain = specs(current.owned().get(main));
        if (currentMain == null || !currentMain.equals(wanted.mainRules())) {
            declare.append(':').append(main).append(" - [0:0]\n");
            for (String r : wanted.mainRules()) {
                rules.append(r).append('\n');
            }
        }
        for (AccountingRules.PodChain chain : wanted.podChains().values()) {
            List<MangleSnapshot.SavedRule> have = current.owned().get(chain.name());
            List<String> haveSpecs = specs(have);
            if (haveSpecs != null && haveSpecs.equals(chain.specs())) {
                continue;
            }
            declare.append(':').append(chain.name()).append(" - [0:0]\n");
            Map<TrafficClass, long[]> carried = carried(have, chain.podKey());
            for (AccountingRules.PodRule r : chain.rules()) {
                long[] c = carried.remove(r.trafficClass());
                rules.append('[').append(c == null ? "0" : Long.toUnsignedString(c[0])).append(':')
                        .append(c == null ? "0" : Long.toUnsignedString(c[1])).append("] ")
                        .append(r.spec()).append('\n');
            }
        }
        for (String chain : current.owned().keySet()) {
            if (!chain.equals(main) && !wanted.podChains().containsKey(chain)) {
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
        if (declare.length() == 0 && remove.length() == 0 && jumps.length() == 0) {
            return "";
        }
        // Declarations first: ':' on an existing chain flushes it (--noflush), so references from the
        // main chain are gone before removed chains are deleted.
        return "*mangle\n" + declare + remove + rules + jumps + "COMMIT\n";
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

    /** Packets and bytes per class of the rules written for {@code podKey}. */
    private static Map<TrafficClass, long[]> carried(List<MangleSnapshot.SavedRule> have, String podKey) {
        Map<TrafficClass, long[]> out = new EnumMap<>(TrafficClass.class);
        if (have == null) {
            return out;
        }
        for (MangleSnapshot.SavedRule r : have) {
            String comment = IptablesSaveParser.comment(r.spec());
            TrafficClass cls = RuleComment.trafficClass(comment);
            if (cls == null || !RuleComment.isFor(comment, podKey)) {
                continue;
            }
            long[] c = out.computeIfAbsent(cls, k -> new long[2]);
            c[0] += r.packets();
            c[1] += r.bytes();
        }
        return out;
    }
}
