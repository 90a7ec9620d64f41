package dev.netcost.iptables;

// TODO(integrator): on branch wt-nft only CounterSink→RuleSink / CounterReader→RuleReader (and ReadStatus accessors) were renamed here to compile; take the other helper's version.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Walks one copy of an x_tables (iptables-legacy) table, the blob {@code IPT_SO_GET_ENTRIES} returns,
 * and hands the rules of netcost's pod chains to a {@link RuleSink}, the way libiptc would see them:
 * <ul>
 *   <li>a user chain starts with an {@code ERROR} entry naming it and ends with an implicit
 *       {@code RETURN} entry, which is not a rule; the table ends with an {@code ERROR} entry named
 *       {@code ERROR};</li>
 *   <li>a built-in chain runs from its hook entry to its underflow (policy) entry, which is not a
 *       rule either;</li>
 *   <li>a jump is a standard target whose verdict is the offset of the target chain's first entry
 *       (the one after its {@code ERROR} head); {@code -g} sets {@code IPT_F_GOTO}.</li>
 * </ul>
 * Layouts are those of 64-bit Linux ({@code linux/netfilter_ipv4/ip_tables.h},
 * {@code linux/netfilter/x_tables.h}). Strings are decoded only for pod chains and comments, and
 * reused between reads through {@link ByteStrings}.
 */
final class IptEntriesParser {
    // struct ipt_getinfo: name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size.
    static final int INFO_SIZE = 84;
    static final int INFO_VALID_HOOKS = 32;
    static final int INFO_HOOK_ENTRY = 36;
    static final int INFO_UNDERFLOW = 56;
    static final int INFO_SIZE_FIELD = 80;
    static final int HOOKS = 5;
    static final int POST_ROUTING = 4;

    // struct ipt_entry: struct ipt_ip (84 bytes; flags at 82), nfcache, target_offset, next_offset,
    // comefrom, counters {pcnt, bcnt}, then the matches and the target.
    private static final int IP_FLAGS = 82;
    private static final int IPT_F_GOTO = 0x02;
    private static final int TARGET_OFFSET = 88;
    private static final int NEXT_OFFSET = 90;
    private static final int PCNT = 96;
    private static final int BCNT = 104;
    private static final int ENTRY_SIZE = 112;
    // struct xt_entry_match / xt_entry_target: size (2), name[29], revision (1), then the data.
    private static final int XT_NAME = 2;
    private static final int XT_NAME_LEN = 29;
    private static final int XT_DATA = 32;
    private static final int ERROR_NAME_LEN = 32;
    private static final int COMMENT_LEN = 256;

    private static final byte[] ERROR = ascii("ERROR");
    private static final byte[] COMMENT = ascii("comment");

    private final ChainNames names;
    private final byte[] main;
    private final byte[] prefix;
    private final ByteStrings chainNames = new ByteStrings();
    private final ByteStrings comments = new ByteStrings();
    private final int[] hookEntry = new int[HOOKS];
    private int[] jumpVerdicts = new int[4];

    IptEntriesParser(ChainNames names) {
        this.names = names;
        this.main = ascii(names.main());
        this.prefix = ascii(names.main() + "-");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a table.
     *
     * @param info    the {@code struct ipt_getinfo} of the table (little-endian, from index 0)
     * @param entries the entries, from index 0, {@code size} bytes (the size in {@code info})
     */
    ReadStatus parse(ByteBuffer info, ByteBuffer entries, RuleSink sink) throws IOException {
        info.order(ByteOrder.LITTLE_ENDIAN);
        entries.order(ByteOrder.LITTLE_ENDIAN);
        int size = info.getInt(INFO_SIZE_FIELD);
        if (size < 0 || size > entries.limit()) {
            throw new IOException("x_tables entries truncated: " + entries.limit() + " of " + size + " bytes");
        }
        int validHooks = info.getInt(INFO_VALID_HOOKS);
        Arrays.fill(hookEntry, -1);
        for (int h = 0; h < HOOKS; h++) {
            if ((validHooks & (1 << h)) != 0) {
                hookEntry[h] = info.getInt(INFO_HOOK_ENTRY + 4 * h);
            }
        }
        boolean post = (validHooks & (1 << POST_ROUTING)) != 0;
        int postFrom = post ? info.getInt(INFO_HOOK_ENTRY + 4 * POST_ROUTING) : -1;
        int postTo = post ? info.getInt(INFO_UNDERFLOW + 4 * POST_ROUTING) : -1;

        int jumps = 0;
        int mainFirst = -1;
        int podChains = 0;
        String podChain = null;
        int held = -1; // the last entry of the current pod chain, emitted once the next one shows it was a rule
        int chainSlot = 0;
        int commentSlot = 0;
        for (int off = 0; off < size; ) {
            if (off + ENTRY_SIZE > size) {
                throw new IOException("malformed x_tables entry at " + off + ": " + (size - off) + " bytes left");
            }
            int targetOff = entries.getShort(off + TARGET_OFFSET) & 0xFFFF;
            int next = entries.getShort(off + NEXT_OFFSET) & 0xFFFF;
            if (targetOff < ENTRY_SIZE || targetOff + XT_DATA > next || off + next > size) {
                throw new IOException("malformed x_tables entry at " + off + " (target at " + targetOff + ", next at " + next + ")");
            }
            int target = off + targetOff;
            if (isBuiltinStart(off)) {
                held = -1;
                podChain = null;
            }
            if (ByteStrings.equalsNul(entries, target + XT_NAME, XT_NAME_LEN, ERROR)) {
                held = -1;
                podChain = null;
                int name = target + XT_DATA;
                int len = ByteStrings.strlen(entries, name, ERROR_NAME_LEN);
                if (startsWith(entries, name, len, prefix)) {
                    String chain = chainNames.get(chainSlot++, entries, name, len);
                    if (names.isPodChain(chain)) {
                        podChain = chain;
                        podChains++;
                    }
                } else if (len == main.length && startsWith(entries, name, len, main)) {
                    mainFirst = off + next;
                }
            } else if (off >= postFrom && off < postTo) {
                if (entries.get(target + XT_NAME) == 0 && (entries.get(off + IP_FLAGS) & IPT_F_GOTO) == 0) {
                    int verdict = entries.getInt(target + XT_DATA);
                    if (verdict >= 0) {
                        if (jumps == jumpVerdicts.length) {
                            jumpVerdicts = Arrays.copyOf(jumpVerdicts, jumps * 2);
                        }
                        jumpVerdicts[jumps++] = verdict;
                    }
                }
            } else if (podChain != null) {
                if (held >= 0) {
                    emit(entries, held, podChain, commentSlot++, sink);
                }
                held = off;
            }
            off += next;
        }
        int mainJumps = 0;
        for (int i = 0; i < jumps; i++) {
            if (jumpVerdicts[i] == mainFirst) {
                mainJumps++;
            }
        }
        return new ReadStatus(mainFirst < 0 ? 0 : mainJumps, podChains);
    }

    private boolean isBuiltinStart(int off) {
        for (int h : hookEntry) {
            if (h == off) {
                return true;
            }
        }
        return false;
    }

    private void emit(ByteBuffer entries, int off, String chain, int slot, RuleSink sink) {
        int targetOff = entries.getShort(off + TARGET_OFFSET) & 0xFFFF;
        String comment = null;
        for (int m = off + ENTRY_SIZE; m + XT_DATA <= off + targetOff; ) {
            int matchSize = entries.getShort(m) & 0xFFFF;
            if (matchSize < XT_DATA) {
                break;
            }
            if (ByteStrings.equalsNul(entries, m + XT_NAME, XT_NAME_LEN, COMMENT)) {
                int max = Math.min(COMMENT_LEN, off + targetOff - m - XT_DATA);
                comment = comments.get(slot, entries, m + XT_DATA, ByteStrings.strlen(entries, m + XT_DATA, max));
                break;
            }
            m += matchSize;
        }
        sink.rule(chain, comment, entries.getLong(off + PCNT), entries.getLong(off + BCNT));
    }

    private static boolean startsWith(ByteBuffer b, int at, int len, byte[] p) {
        if (len < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (b.get(at + i) != p[i]) {
                return false;
            }
        }
        return true;
    }
}
