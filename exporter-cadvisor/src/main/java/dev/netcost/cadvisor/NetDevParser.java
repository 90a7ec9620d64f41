package dev.netcost.cadvisor;

import java.util.Locale;

/**
 * Parses {@code /proc/<pid>/net/dev}: two header lines, then {@code iface: } and sixteen counters
 * (eight received, eight transmitted). Interfaces cAdvisor ignores ({@code lo}, {@code veth*},
 * {@code docker*}, {@code nerdctl*}) are skipped the same way, so both sources report the same set.
 */
final class NetDevParser {
    static final int COLUMNS = 16;

    /** Receives one interface's counters; {@code counters} is reused. */
    interface Visitor {
        void iface(String name, long[] counters);
    }

    private static final String[] IGNORED_PREFIXES = {"lo", "veth", "docker", "nerdctl"};

    private final long[] counters = new long[COLUMNS];
    private final StringCache names = new StringCache();

    /** Returns the number of malformed lines. */
    int parse(byte[] buf, int len, Visitor visitor) {
        int malformed = 0;
        int p = 0;
        int line = 0;
        while (p < len) {
            int end = p;
            while (end < len && buf[end] != '\n') {
                end++;
            }
            if (line >= 2 && end > p && !parseLine(buf, p, end, visitor)) {
                malformed++;
            }
            line++;
            p = end + 1;
        }
        return malformed;
    }

    private boolean parseLine(byte[] buf, int p, int end, Visitor visitor) {
        while (p < end && buf[p] == ' ') {
            p++;
        }
        int nameStart = p;
        while (p < end && buf[p] != ':' && buf[p] != ' ') {
            p++;
        }
        if (p == nameStart || p >= end || buf[p] != ':') {
            return false;
        }
        String name = names.get(buf, nameStart, p - nameStart);
        if (name == null) {
            return false;
        }
        p++;
        for (int i = 0; i < COLUMNS; i++) {
            while (p < end && buf[p] == ' ') {
                p++;
            }
            if (p >= end || buf[p] < '0' || buf[p] > '9') {
                return false;
            }
            long v = 0;
            while (p < end && buf[p] >= '0' && buf[p] <= '9') {
                v = v * 10 + (buf[p] - '0');
                p++;
            }
            counters[i] = v;
        }
        while (p < end && buf[p] == ' ') {
            p++;
        }
        if (p != end) {
            return false;
        }
        if (!isIgnored(name)) {
            visitor.iface(name, counters);
        }
        return true;
    }

    static boolean isIgnored(String iface) {
        String lower = iface.toLowerCase(Locale.ROOT);
        for (String prefix : IGNORED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
