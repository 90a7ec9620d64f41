package dev.netcost.iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads netcost's counters from the legacy (x_tables) mangle table through libip4tc: one
 * {@code iptc_init("mangle")} snapshot per read, walking only netcost's chains and POSTROUTING. Each
 * rule's counters and comment are read straight from its {@code struct ipt_entry}. Every call runs
 * on the {@link NetnsThread}, which also serialises them (libip4tc keeps global state).
 */
final class Ip4tcCounterReader implements CounterReader {
    // struct ipt_entry (linux/netfilter_ipv4/ip_tables.h) on 64-bit Linux: struct ipt_ip is 84 bytes,
    // then nfcache (4), target_offset (2), next_offset (2), comefrom (4), counters {pcnt, bcnt} (2 x 8).
    private static final int TARGET_OFFSET = 88;
    private static final int PCNT = 96;
    private static final int BCNT = 104;
    private static final int ENTRY_SIZE = 112;
    // struct xt_entry_match: match_size (2), name[29], revision (1), then the match's data.
    private static final int MATCH_NAME = 2;
    private static final int MATCH_DATA = 32;
    private static final int COMMENT_SIZE = 256;
    private static final byte[] COMMENT = "comment\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POSTROUTING = "POSTROUTING\0".getBytes(StandardCharsets.US_ASCII);

    private final NetnsThread thread;
    private final Ip4tcLibrary lib;
    private final Runtime runtime;
    private final ChainNames names;
    private final byte[] prefix;
    private final byte[] mainTarget;
    private final byte[] nameBuf = new byte[ChainNames.MAX_CHAIN_NAME + 1];

    Ip4tcCounterReader(NetnsThread thread, String library, ChainNames names) {
        this.thread = thread;
        this.lib = LibraryLoader.create(Ip4tcLibrary.class).failImmediately().load(library);
        this.runtime = Runtime.getRuntime(lib);
        this.names = names;
        this.prefix = names.main().getBytes(StandardCharsets.US_ASCII);
        this.mainTarget = (names.main() + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String name() {
        return "ip4tc";
    }

    @Override
    public ReadStatus read(CounterSink sink) throws Exception {
        return thread.call(() -> readHere(sink));
    }

    private ReadStatus readHere(CounterSink sink) throws IOException {
        Pointer h = lib.iptc_init("mangle");
        if (h == null) {
            int err = LastError.getLastError(runtime);
            throw new IOException("libip4tc cannot read the mangle table: " + lib.iptc_strerror(err));
        }
        try {
            int jumps = 0;
            int podChains = 0;
            for (Pointer chain = lib.iptc_first_chain(h); chain != null; chain = lib.iptc_next_chain(h)) {
                if (equalsAt(chain, POSTROUTING)) {
                    for (Pointer e = lib.iptc_first_rule(chain, h); e != null; e = lib.iptc_next_rule(e, h)) {
                        Pointer target = lib.iptc_get_target(e, h);
                        if (target != null && equalsAt(target, mainTarget)) {
                            jumps++;
                        }
                    }
                    continue;
                }
                String name = podChainName(chain);
                if (name == null) {
                    continue;
                }
                podChains++;
                for (Pointer e = lib.iptc_first_rule(chain, h); e != null; e = lib.iptc_next_rule(e, h)) {
                    sink.rule(name, comment(e), e.getLong(PCNT), e.getLong(BCNT));
                }
            }
            return new ReadStatus(jumps, podChains);
        } finally {
            lib.iptc_free(h);
        }
    }

    /** The chain's name when it is one of netcost's pod chains, else null (allocating nothing). */
    private String podChainName(Pointer chain) {
        int want = prefix.length + 11;
        for (int i = 0; i < prefix.length; i++) {
            if (chain.getByte(i) != prefix[i]) {
                return null;
            }
        }
        chain.get(0, nameBuf, 0, want + 1);
        if (nameBuf[want] != 0) {
            return null;
        }
        String name = new String(nameBuf, 0, want, StandardCharsets.US_ASCII);
        return names.isPodChain(name) ? name : null;
    }

    private static boolean equalsAt(Pointer p, byte[] nulTerminated) {
        return equalsAt(p, 0, nulTerminated);
    }

    private static boolean equalsAt(Pointer p, long offset, byte[] nulTerminated) {
        for (int i = 0; i < nulTerminated.length; i++) {
            if (p.getByte(offset + i) != nulTerminated[i]) {
                return false;
            }
        }
        return true;
    }

    private static String comment(Pointer entry) {
        int targetOffset = entry.getShort(TARGET_OFFSET) & 0xFFFF;
        int off = ENTRY_SIZE;
        while (off + MATCH_DATA <= targetOffset) {
            int size = entry.getShort(off) & 0xFFFF;
            if (size < MATCH_DATA) {
                return null;
            }
            if (equalsAt(entry, off + MATCH_NAME, COMMENT)) {
                return entry.getString(off + MATCH_DATA, COMMENT_SIZE, StandardCharsets.UTF_8);
            }
            off += size;
        }
        return null;
    }
}
