package dev.netcost.iptables;

// TODO(integrator): on branch wt-nft only CounterSink→RuleSink / CounterReader→RuleReader (and ReadStatus accessors) were renamed here to compile; take the other helper's version.

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code iptables-save -c} output: into a {@link MangleSnapshot} for reconciling, or straight
 * into a {@link RuleSink} for reading, where lines of other chains cost a few character
 * comparisons and no allocation.
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
     * Feeds every rule of netcost's pod chains in {@code text} (the mangle table) to {@code sink}.
     */
    ReadStatus read(CharSequence text, RuleSink sink) {
        String main = names.main();
        int n = text.length();
        int pos = 0;
        int jumps = 0;
        int podChains = 0;
        String lastChain = null;
        while (pos < n) {
            int eol = indexOf(text, '\n', pos, n);
            int lineEnd = eol;
            while (lineEnd > pos && Character.isWhitespace(text.charAt(lineEnd - 1))) {
                lineEnd--;
            }
            int start = pos;
            pos = eol + 1;
            if (start >= lineEnd) {
                continue;
            }
            char first = text.charAt(start);
            if (first == ':') {
                int end = indexOf(text, ' ', start + 1, lineEnd);
                if (isPodChain(text, start + 1, end, main)) {
                    podChains++;
                }
                continue;
            }
            if (first != '[') {
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
            if (isPodChain(text, chainStart, chainEnd, main)) {
                if (lastChain == null || !regionEquals(text, chainStart, lastChain) || lastChain.length() != chainEnd - chainStart) {
                    lastChain = text.subSequence(chainStart, chainEnd).toString();
                }
                sink.rule(lastChain, comment(text, chainEnd, lineEnd), parseLong(text, start + 1, colon),
                        parseLong(text, colon + 1, close));
            } else if (chainEnd - chainStart == 11 && regionEquals(text, chainStart, "POSTROUTING")
                    && endsWithJump(text, chainEnd, lineEnd)) {
                jumps++;
            }
        }
        return new ReadStatus(jumps, podChains);
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

    private boolean isPodChain(CharSequence text, int start, int end, String main) {
        if (end - start != main.length() + 11 || !regionEquals(text, start, main) || text.charAt(start + main.length()) != '-') {
            return false;
        }
        return names.isPodChain(text.subSequence(start, end).toString());
    }

    /** The value of {@code --comment} in a rule spec, unquoting {@code "..."}; null when there is none. */
    static String comment(CharSequence text, int from, int end) {
        String key = " --comment ";
        for (int i = from; i + key.length() < end; i++) {
            if (text.charAt(i) == ' ' && regionEquals(text, i, key)) {
                int v = i + key.length();
                if (text.charAt(v) != '"') {
                    return text.subSequence(v, indexOf(text, ' ', v, end)).toString();
                }
                StringBuilder sb = new StringBuilder(48);
                for (int k = v + 1; k < end; k++) {
                    char c = text.charAt(k);
                    if (c == '\\' && k + 1 < end) {
                        sb.append(text.charAt(++k));
                    } else if (c == '"') {
                        return sb.toString();
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            }
        }
        return null;
    }

    static String comment(String spec) {
        return comment(spec, 0, spec.length());
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
