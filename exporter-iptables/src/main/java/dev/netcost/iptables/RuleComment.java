package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;

/**
 * The comment on every counting rule, {@code "<class> <namespace>/<pod>"}: it makes the rules
 * self-describing (any reader derives the class from the kernel's state alone) and records which pod
 * a chain was made for, so that a reused pod IP never inherits another pod's counters.
 */
final class RuleComment {
    /** xt_comment holds 256 bytes including the terminating NUL. */
    static final int MAX_LENGTH = 255;

    private static final TrafficClass[] CLASSES = TrafficClass.values();

    private RuleComment() {
    }

    static String podKey(String namespace, String name) {
        return namespace + "/" + name;
    }

    static String format(TrafficClass cls, String podKey) {
        String c = cls.label() + " " + podKey;
        return c.length() <= MAX_LENGTH ? c : c.substring(0, MAX_LENGTH);
    }

    /** The class named by the comment's first word, or null when it is not a netcost comment. */
    static TrafficClass trafficClass(String comment) {
        if (comment == null) {
            return null;
        }
        int space = comment.indexOf(' ');
        int end = space < 0 ? comment.length() : space;
        for (TrafficClass c : CLASSES) {
            String l = c.label();
            if (l.length() == end && comment.startsWith(l)) {
                return c;
            }
        }
        return null;
    }

    /** Whether the comment names this pod (its key possibly truncated to the comment's maximum length). */
    static boolean isFor(String comment, String podKey) {
        int space = comment.indexOf(' ');
        if (space < 0) {
            return false;
        }
        int n = comment.length() - space - 1;
        if (n == podKey.length()) {
            return comment.regionMatches(space + 1, podKey, 0, n);
        }
        return comment.length() == MAX_LENGTH && n < podKey.length() && comment.regionMatches(space + 1, podKey, 0, n);
    }

    /** The pod key written in the comment ("" when there is none). */
    static String podKeyOf(String comment) {
        int space = comment.indexOf(' ');
        return space < 0 ? "" : comment.substring(space + 1);
    }
}
