package dev.netcost.iptables;

// TODO(integrator): on branch wt-nft only CounterSink→RuleSink / CounterReader→RuleReader (and ReadStatus accessors) were renamed here to compile; take the other helper's version.

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads netcost's counters from the legacy (x_tables) mangle table the way iptables-legacy-save does,
 * but without libiptc: {@code getsockopt(IPT_SO_GET_INFO)} for the table's size and chain offsets,
 * then {@code getsockopt(IPT_SO_GET_ENTRIES)} into a direct buffer kept between reads (sized from the
 * previous read), walked in Java by {@link IptEntriesParser}. libiptc would copy the table once more
 * and build a cache of every chain and rule on each {@code iptc_init}. The raw socket is opened on
 * the {@link NetnsThread}, so it belongs to that thread's network namespace; every read runs there.
 */
final class SockoptCounterReader implements RuleReader {
    // struct ipt_get_entries: name[32], size, (4 bytes of padding: the entries hold 64-bit counters).
    private static final int ENTRIES_HEADER = 40;
    private static final int TABLE_NAME_LEN = 32;
    private static final int EAGAIN = 11;
    private static final int ENOENT = 2;
    private static final int MAX_ATTEMPTS = 5;
    private static final byte[] MANGLE = "mangle".getBytes(StandardCharsets.US_ASCII);

    private final NetnsThread thread;
    private final LibC libc;
    private final Runtime runtime;
    private final IptEntriesParser parser;
    private final int fd;
    private final ByteBuffer info = ByteBuffer.allocateDirect(IptEntriesParser.INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final Pointer infoPtr;
    private final Pointer lenPtr;
    private ByteBuffer entries;
    private Pointer entriesPtr;
    private ByteBuffer table;

    private SockoptCounterReader(NetnsThread thread, LibC libc, ChainNames names, int fd) {
        this.thread = thread;
        this.libc = libc;
        this.runtime = Runtime.getRuntime(libc);
        this.parser = new IptEntriesParser(names);
        this.fd = fd;
        this.infoPtr = Pointer.wrap(runtime, info);
        this.lenPtr = Memory.allocateDirect(runtime, 4);
        allocate(64 * 1024);
    }

    static SockoptCounterReader open(NetnsThread thread, ChainNames names) throws IOException, InterruptedException {
        LibC c = NetnsThread.libc();
        int fd = thread.call(() -> {
            int s = c.socket(LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.IPPROTO_RAW);
            if (s < 0) {
                throw new IOException("cannot open a raw IPv4 socket: " + c.strerror(NetnsThread.errno())
                        + " (possible fixes: run as root or with CAP_NET_RAW and CAP_NET_ADMIN)");
            }
            return s;
        });
        return new SockoptCounterReader(thread, c, names, fd);
    }

    @Override
    public String name() {
        return "sockopt";
    }

    @Override
    public ReadStatus read(RuleSink sink) throws Exception {
        return thread.call(() -> readHere(sink));
    }

    private ReadStatus readHere(RuleSink sink) throws IOException {
        for (int attempt = 1; ; attempt++) {
            for (int i = 0; i < TABLE_NAME_LEN; i++) {
                info.put(i, i < MANGLE.length ? MANGLE[i] : 0);
            }
            if (getsockopt(LibC.IPT_SO_GET_INFO, infoPtr, IptEntriesParser.INFO_SIZE) != 0) {
                int err = NetnsThread.errno();
                if (err == ENOENT) { // no mangle table: nothing of ours either
                    return new ReadStatus(0, 0);
                }
                throw new IOException("getsockopt(IPT_SO_GET_INFO, mangle) failed: " + libc.strerror(err));
            }
            int size = info.getInt(IptEntriesParser.INFO_SIZE_FIELD);
            if (ENTRIES_HEADER + (long) size > entries.capacity()) {
                allocate(ENTRIES_HEADER + size + size / 8);
            }
            for (int i = 0; i < TABLE_NAME_LEN; i++) {
                entries.put(i, i < MANGLE.length ? MANGLE[i] : 0);
            }
            entries.putInt(TABLE_NAME_LEN, size);
            if (getsockopt(LibC.IPT_SO_GET_ENTRIES, entriesPtr, ENTRIES_HEADER + size) != 0) {
                int err = NetnsThread.errno();
                if (err == EAGAIN && attempt < MAX_ATTEMPTS) { // the table changed size between the two calls
                    continue;
                }
                throw new IOException("getsockopt(IPT_SO_GET_ENTRIES, mangle) failed: " + libc.strerror(err));
            }
            table.limit(size);
            return parser.parse(info, table, sink);
        }
    }

    /** The table as the last read saw it: its {@code struct ipt_getinfo}, then its entries. */
    // VisibleForTesting
    byte[] capture() throws Exception {
        return thread.call(() -> {
            readHere((chain, comment, packets, bytes) -> { });
            int size = info.getInt(IptEntriesParser.INFO_SIZE_FIELD);
            byte[] out = new byte[IptEntriesParser.INFO_SIZE + size];
            info.get(0, out, 0, IptEntriesParser.INFO_SIZE);
            table.get(0, out, IptEntriesParser.INFO_SIZE, size);
            return out;
        });
    }

    private int getsockopt(int option, Pointer value, int length) {
        lenPtr.putInt(0, length);
        return libc.getsockopt(fd, LibC.IPPROTO_IP, option, value, lenPtr);
    }

    private void allocate(int capacity) {
        entries = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        entriesPtr = Pointer.wrap(runtime, entries);
        table = entries.slice(ENTRIES_HEADER, capacity - ENTRIES_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        libc.close(fd);
    }
}
