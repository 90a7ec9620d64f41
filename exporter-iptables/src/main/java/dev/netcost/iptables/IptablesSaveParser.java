package dev.netcost.iptables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code iptables-save -c} / {@code ip6tables-save -c} output: into a {@link MangleSnapshot}
 * for reconciling, or straight into a {@link CounterSink} for reading, where lines of other chains
 * cost a few character comparisons and no allocation. Not thread-safe (reused scratch fields).
 */
final class IptablesSaveParser {
    private final ChainNames names;
    private final String jumpSuffix;

    IptablesSaveParser(ChainNames names) {
        this.names = names;
        this.jumpSuffix = " -j " + names.main();
    }

    MangleSnapshot snapshot(String text) {
        Map<String, List<MangleSnapshot.SavedRule>> owned = new LinkedHashMap<>();
        List<String> jumps = new ArrayList<>();
        int foreign = 0;
        boolean hint = false;
        String table = "";
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            String line = text.substring(pos, eol).stripTrailing();
            pos = eol + 1;
            if (line.startsWith("*")) {
                table = line.substring(1);
            } else if (line.startsWith(":")) {
                String chain = line.substring(1, spaceOr(line, 1));
                if (table.equals("mangle")) {
                    if (names.isOwned(chain)) {
                        owned.putIfAbsent(chain, new ArrayList<>());
                    } else if (chain.equals("KUBE-IPTABLES-HINT") || chain.equals("KUBE-KUBELET-CANARY")) {
                        hint = true;
                    }
                }
            } else if (line.startsWith("[") || line.startsWith("-")) {
                long packets = 0;
                long bytes = 0;
                String spec = line;
                if (line.startsWith("[")) {
                    int colon = line.indexOf(':');
                    int close = line.indexOf(']');
                    if (colon < 0 || close < colon || !digits(line, 1, colon) || !digits(line, colon + 1, close)) {
                        continue;
                    }
                    packets = parseLong(line, 1, colon);
                    bytes = parseLong(line, colon + 1, close);
                    spec = line.substring(close + 1).strip();
                }
                if (!spec.startsWith("-A ")) {
                    continue;
                }
                String chain = spec.substring(3, spaceOr(spec, 3));
                if (table.equals("mangle") && names.isOwned(chain)) {
                    owned.computeIfAbsent(chain, c -> new ArrayList<>()).add(new MangleSnapshot.SavedRule(spec, packets, bytes));
                } else if (table.equals("mangle") && chain.equals("POSTROUTING") && isJump(spec)) {
                    jumps.add(spec);
                } else {
                    foreign++;
                }
            }
        }
        return new MangleSnapshot(owned, jumps, foreign, hint);
    }

    private boolean isJump(String spec) {
        return spec.endsWith(jumpSuffix) || spec.contains(jumpSuffix + " ");
    }

    /**
     * Feeds every counting rule of netcost's class chains in {@code text} (one mangle table) to
     * {@code sink}: {@code [p:b] -A PREFIX-E-SAME -s 10.10.1.2/32 -j RETURN} (egress: the source is
     * the pod) or {@code -A PREFIX-I-SAME -d ...} (ingress: the destination), IPv4 {@code /32} or
     * IPv6 {@code /128}. Other lines cost a few character comparisons and no allocation.
     */
    ReadStatus read(CharSequence text, CounterSink sink) {
        String main = names.main();
        int n = text.length();
        int pos = 0;
        int jumps = 0;
        int counting = 0;
        while (pos < n) {
            int eol = indexOf(text, '\n', pos, n);
            int lineEnd = eol;
            while (lineEnd > pos && Character.isWhitespace(text.charAt(lineEnd - 1))) {
                lineEnd--;
            }
            int start = pos;
            pos = eol + 1;
            if (start >= lineEnd || text.charAt(start) != '[') {
                continue;
            }
            int colon = indexOf(text, ':', start, lineEnd);
            int close = indexOf(text, ']', start, lineEnd);
            if (colon >= close || close + 4 >= lineEnd || !regionEquals(text, close + 1, " -A ")
                    || !digits(text, start + 1, colon) || !digits(text, colon + 1, close)) {
                continue;
            }
            int chainStart = close + 5;
            int chainEnd = indexOf(text, ' ', chainStart, lineEnd);
            if (chainEnd - chainStart == 11 && regionEquals(text, chainStart, "POSTROUTING")) {
                if (endsWithJump(text, chainEnd, lineEnd)) {
                    jumps++;
                }
                continue;
            }
            int index = classChainIndex(text, chainStart, chainEnd, main);
            boolean lb = index < 0 && chainEnd - chainStart > main.length() && regionEquals(text, chainStart, main)
                    && ChainNames.decodeLoadBalancerChain(text, chainStart + main.length(), chainEnd, lbChain);
            if (index < 0 && !lb) {
                continue;
            }
            boolean podIsSource = lb ? lbChain.kind.podIsSource() : ChainNames.direction(index) == Direction.EGRESS;
            int at = chainEnd;
            if (!podIsSource && regionEquals(text, at, " -s ")) { // a foreign rule's source match: skip it
                at = indexOf(text, ' ', at + 4, lineEnd);
            }
            if (!regionEquals(text, at, podIsSource ? " -s " : " -d ")) {
                continue;
            }
            int addr = at + 4;
            int end = indexOf(text, ' ', addr, lineEnd);
            int slash = indexOf(text, '/', addr, end);
            long packets = parseLong(text, start + 1, colon);
            long bytes = parseLong(text, colon + 1, close);
            if (end - slash == 3 && regionEquals(text, slash, "/32") && parseIpv4(text, addr, slash)) {
                counting++;
                if (lb) {
                    sink.loadBalancer4(lbChain.kind, lbChain.zoneClass, lbChain.id, v4, packets, bytes);
                } else {
                    sink.ipv4(ChainNames.direction(index), ChainNames.trafficClass(index), v4, packets, bytes);
                }
            } else if (end - slash == 4 && regionEquals(text, slash, "/128") && parseIpv6(text, addr, slash)) {
                counting++;
                if (lb) {
                    sink.loadBalancer6(lbChain.kind, lbChain.zoneClass, lbChain.id, v6High, v6Low, packets, bytes);
                } else {
                    sink.ipv6(ChainNames.direction(index), ChainNames.trafficClass(index), v6High, v6Low, packets, bytes);
                }
            }
        }
        return new ReadStatus(jumps, counting);
    }

    private final ChainNames.LoadBalancerChain lbChain = new ChainNames.LoadBalancerChain();
    private int v4;
    private long v6High;
    private long v6Low;
    private final int[] groups = new int[8];

    private int classChainIndex(CharSequence text, int start, int end, String main) {
        if (end - start <= main.length() + 3 || !regionEquals(text, start, main) || text.charAt(start + main.length()) != '-') {
            return -1;
        }
        for (int i = 0; i < ChainNames.classChainCount(); i++) {
            String c = names.classChain(i);
            if (c.length() == end - start && regionEquals(text, start, c)) {
                return i;
            }
        }
        return -1;
    }

    /** Parses a dotted IPv4 address in {@code text[from, to)} into {@link #v4}. */
    private boolean parseIpv4(CharSequence text, int from, int to) {
        long value = ChainNames.parseIpv4(text, from, to);
        if (value < 0) {
            return false;
        }
        v4 = (int) value;
        return true;
    }

    /**
     * Parses an IPv6 address in {@code text[from, to)} (as inet_ntop prints it: {@code ::} once at
     * most, a dotted IPv4 tail allowed) into {@link #v6High} and {@link #v6Low}.
     */
    private boolean parseIpv6(CharSequence text, int from, int to) {
        int[] g = groups;
        int count = 0;
        int gap = -1;
        int i = from;
        if (to - from >= 2 && text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
            gap = 0;
            i += 2;
        } else if (i < to && text.charAt(i) == ':') {
            return false;
        }
        while (i < to) {
            int groupEnd = i;
            boolean dotted = false;
            while (groupEnd < to && text.charAt(groupEnd) != ':') {
                dotted |= text.charAt(groupEnd) == '.';
                groupEnd++;
            }
            if (dotted) {
                if (groupEnd != to || count > 6 || !parseIpv4(text, i, groupEnd)) {
                    return false;
                }
                g[count++] = v4 >>> 16;
                g[count++] = v4 & 0xFFFF;
                i = to;
                break;
            }
            if (groupEnd == i || groupEnd - i > 4 || count == 8) {
                return false;
            }
            int value = 0;
            for (int k = i; k < groupEnd; k++) {
                int digit = Character.digit(text.charAt(k), 16);
                if (digit < 0) {
                    return false;
                }
                value = value << 4 | digit;
            }
            g[count++] = value;
            i = groupEnd;
            if (i < to) { // at a ':'
                if (i + 1 < to && text.charAt(i + 1) == ':') {
                    if (gap >= 0) {
                        return false;
                    }
                    gap = count;
                    i += 2;
                } else if (i + 1 == to) {
                    return false;
                } else {
                    i++;
                }
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int zeros = 8 - count;
        int out = 0;
        for (int k = 0; k <= count; k++) {
            if (k == gap) {
                for (int z = 0; z < zeros; z++, out++) {
                    if (out < 4) {
                        hi <<= 16;
                    } else {
                        lo <<= 16;
                    }
                }
            }
            if (k == count) {
                break;
            }
            if (out < 4) {
                hi = hi << 16 | g[k];
            } else {
                lo = lo << 16 | g[k];
            }
            out++;
        }
        v6High = hi;
        v6Low = lo;
        return true;
    }

    private boolean endsWithJump(CharSequence text, int from, int end) {
        int at = end - jumpSuffix.length();
        if (at >= from && regionEquals(text, at, jumpSuffix)) {
            return true;
        }
        for (int i = from; i + jumpSuffix.length() < end; i++) {
            if (regionEquals(text, i, jumpSuffix) && text.charAt(i + jumpSuffix.length()) == ' ') {
                return true;
            }
        }
        return false;
    }

    private static int spaceOr(String s, int from) {
        int i = s.indexOf(' ', from);
        return i < 0 ? s.length() : i;
    }

    private static int indexOf(CharSequence s, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return end;
    }

    private static boolean regionEquals(CharSequence s, int at, String what) {
        if (at + what.length() > s.length()) {
            return false;
        }
        for (int i = 0; i < what.length(); i++) {
            if (s.charAt(at + i) != what.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(CharSequence s, int from, int end) {
        if (from >= end || end - from > 20) {
            return false;
        }
        for (int i = from; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** An unsigned decimal, wrapping like the kernel's u64 counters. */
    private static long parseLong(CharSequence s, int from, int end) {
        long v = 0;
        for (int i = from; i < end; i++) {
            v = v * 10 + (s.charAt(i) - '0');
        }
        return v;
    }
}
