package dev.netcost.iptables;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Walks one copy of an x_tables (iptables-legacy or ip6tables-legacy) table, the blob
 * {@code IPT_SO_GET_ENTRIES} / {@code IP6T_SO_GET_ENTRIES} returns, and hands the counting rules of
 * netcost's class chains to a {@link CounterSink}, the way libiptc would see them:
 * <ul>
 *   <li>a user chain starts with an {@code ERROR} entry naming it and ends with an implicit
 *       {@code RETURN} entry, which is not a rule; the table ends with an {@code ERROR} entry named
 *       {@code ERROR};</li>
 *   <li>a built-in chain runs from its hook entry to its underflow (policy) entry, which is not a
 *       rule either;</li>
 *   <li>a jump is a standard target whose verdict is the offset of the target chain's first entry
 *       (the one after its {@code ERROR} head); {@code -g} sets the entry's goto flag.</li>
 * </ul>
 * A counting rule's pod address is the entry's own source (egress) or destination (ingress) with
 * a full mask, not negated: no match needs decoding. Layouts are those of 64-bit Linux
 * ({@code linux/netfilter_ipv4/ip_tables.h}, {@code linux/netfilter_ipv6/ip6_tables.h},
 * {@code linux/netfilter/x_tables.h}); the two families differ only in the {@link Layout} offsets.
 * Class chains are recognised by comparing the {@code ERROR} entry's bytes with their names: no
 * string is decoded, and a read allocates nothing.
 */
final class IptEntriesParser {
    // struct ipt_getinfo / ip6t_getinfo: name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size.
    static final int INFO_SIZE = 84;
    static final int INFO_VALID_HOOKS = 32;
    static final int INFO_HOOK_ENTRY = 36;
    static final int INFO_UNDERFLOW = 56;
    static final int INFO_SIZE_FIELD = 80;
    static final int HOOKS = 5;
    static final int POST_ROUTING = 4;

    // struct xt_entry_target: size (2), name[29], revision (1), then the data.
    private static final int XT_NAME = 2;
    private static final int XT_NAME_LEN = 29;
    private static final int XT_DATA = 32;
    private static final int ERROR_NAME_LEN = 32;
    // IPT_INV_SRCIP / IPT_INV_DSTIP, the same values in IP6T_INV_*.
    private static final int INV_SRCIP = 0x08;
    private static final int INV_DSTIP = 0x10;

    private static final byte[] ERROR = ascii("ERROR");

    /**
     * Where the fields of an entry are: {@code struct ipt_entry} (IPv4) or {@code struct ip6t_entry} (IPv6).
     *
     * @param entrySize the entry without matches and target (where the matches start)
     * @param addressLength 4 or 16
     */
    record Layout(int src, int dst, int srcMask, int dstMask, int flags, int gotoFlag, int invFlags, int targetOffset,
                  int nextOffset, int packets, int bytes, int entrySize, int addressLength) {
        /** {@code struct ipt_entry}: struct ipt_ip (84 bytes; flags at 82, invflags at 83), nfcache, offsets, comefrom, counters. */
        static final Layout IPV4 = new Layout(0, 4, 8, 12, 82, 0x02, 83, 88, 90, 96, 104, 112, 4);
        /** {@code struct ip6t_entry}: struct ip6t_ip6 (136 bytes; flags at 131, invflags at 132), then as IPv4, aligned. */
        static final Layout IPV6 = new Layout(0, 16, 32, 48, 131, 0x04, 132, 140, 142, 152, 160, 168, 16);
    }

    private final Layout layout;
    private final byte[] main;
    private final byte[] prefix;
    private final byte[][] classChains = new byte[ChainNames.classChainCount()][];
    /** The chain index meaning "a load balancer's chain", described by {@link #lbChain}. */
    private static final int LB_CHAIN = Integer.MAX_VALUE;
    private final ChainNames.LoadBalancerChain lbChain = new ChainNames.LoadBalancerChain();
    private final AsciiView view = new AsciiView();
    private final int[] hookEntry = new int[HOOKS];
    private int[] jumpVerdicts = new int[4];

    IptEntriesParser(ChainNames names) {
        this(names, Layout.IPV4);
    }

    IptEntriesParser(ChainNames names, Layout layout) {
        this.layout = layout;
        this.main = ascii(names.main());
        this.prefix = ascii(names.main() + "-");
        for (int i = 0; i < classChains.length; i++) {
            classChains[i] = ascii(names.classChain(i));
        }
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
    ReadStatus parse(ByteBuffer info, ByteBuffer entries, CounterSink sink) throws IOException {
        info.order(ByteOrder.LITTLE_ENDIAN);
        entries.order(ByteOrder.LITTLE_ENDIAN);
        Layout l = layout;
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
        int counting = 0;
        int chain = -1; // the class chain index of the current chain, -1 for any other
        int held = -1; // the last entry of the current class chain, emitted once the next one shows it was a rule
        for (int off = 0; off < size; ) {
            if (off + l.entrySize() > size) {
                throw new IOException("malformed x_tables entry at " + off + ": " + (size - off) + " bytes left");
            }
            int targetOff = entries.getShort(off + l.targetOffset()) & 0xFFFF;
            int next = entries.getShort(off + l.nextOffset()) & 0xFFFF;
            if (targetOff < l.entrySize() || targetOff + XT_DATA > next || off + next > size) {
                throw new IOException("malformed x_tables entry at " + off + " (target at " + targetOff + ", next at " + next + ")");
            }
            int target = off + targetOff;
            if (isBuiltinStart(off)) {
                held = -1;
                chain = -1;
            }
            if (ByteStrings.equalsNul(entries, target + XT_NAME, XT_NAME_LEN, ERROR)) {
                held = -1;
                chain = -1;
                int name = target + XT_DATA;
                int len = ByteStrings.strlen(entries, name, ERROR_NAME_LEN);
                if (startsWith(entries, name, len, prefix)) {
                    chain = classChain(entries, name, len);
                    if (chain < 0 && ChainNames.decodeLoadBalancerChain(view.of(entries), name + main.length, name + len, lbChain)) {
                        chain = LB_CHAIN;
                    }
                } else if (len == main.length && startsWith(entries, name, len, main)) {
                    mainFirst = off + next;
                }
            } else if (off >= postFrom && off < postTo) {
                if (entries.get(target + XT_NAME) == 0 && (entries.get(off + l.flags()) & l.gotoFlag()) == 0) {
                    int verdict = entries.getInt(target + XT_DATA);
                    if (verdict >= 0) {
                        if (jumps == jumpVerdicts.length) {
                            jumpVerdicts = Arrays.copyOf(jumpVerdicts, jumps * 2);
                        }
                        jumpVerdicts[jumps++] = verdict;
                    }
                }
            } else if (chain >= 0) {
                if (held >= 0 && emit(entries, held, chain, sink)) {
                    counting++;
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
        return new ReadStatus(mainFirst < 0 ? 0 : mainJumps, counting);
    }

    private int classChain(ByteBuffer entries, int name, int len) {
        for (int i = 0; i < classChains.length; i++) {
            if (classChains[i].length == len && startsWith(entries, name, len, classChains[i])) {
                return i;
            }
        }
        return -1;
    }

    private boolean isBuiltinStart(int off) {
        for (int h : hookEntry) {
            if (h == off) {
                return true;
            }
        }
        return false;
    }

    /** Hands a counting rule to the sink; false when the entry does not match one full, plain pod address. */
    private boolean emit(ByteBuffer entries, int off, int chain, CounterSink sink) {
        Layout l = layout;
        boolean lb = chain == LB_CHAIN;
        Direction d = lb ? null : ChainNames.direction(chain);
        boolean egress = lb ? lbChain.kind.podIsSource() : d == Direction.EGRESS;
        int address = off + (egress ? l.src() : l.dst());
        int mask = off + (egress ? l.srcMask() : l.dstMask());
        if ((entries.get(off + l.invFlags()) & (egress ? INV_SRCIP : INV_DSTIP)) != 0) {
            return false;
        }
        long packets = entries.getLong(off + l.packets());
        long bytes = entries.getLong(off + l.bytes());
        if (l.addressLength() == 4) {
            if (entries.getInt(mask) != -1) {
                return false;
            }
            int a = Integer.reverseBytes(entries.getInt(address));
            if (lb) {
                sink.loadBalancer4(lbChain.kind, lbChain.zoneClass, lbChain.id, a, packets, bytes);
            } else {
                sink.ipv4(d, ChainNames.trafficClass(chain), a, packets, bytes);
            }
        } else {
            if (entries.getLong(mask) != -1L || entries.getLong(mask + 8) != -1L) {
                return false;
            }
            long high = Long.reverseBytes(entries.getLong(address));
            long low = Long.reverseBytes(entries.getLong(address + 8));
            if (lb) {
                sink.loadBalancer6(lbChain.kind, lbChain.zoneClass, lbChain.id, high, low, packets, bytes);
            } else {
                sink.ipv6(d, ChainNames.trafficClass(chain), high, low, packets, bytes);
            }
        }
        return true;
    }

    /** The bytes of a buffer as ASCII characters, without copying (reused: one view per parser). */
    private static final class AsciiView implements CharSequence {
        private ByteBuffer buffer;

        AsciiView of(ByteBuffer b) {
            buffer = b;
            return this;
        }

        @Override
        public int length() {
            return buffer.limit();
        }

        @Override
        public char charAt(int index) {
            return (char) (buffer.get(index) & 0xFF);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            throw new UnsupportedOperationException();
        }
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
