package dev.netcost.iptables;

import dev.netcost.core.k8s.TrafficClass;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads the named counters of netcost's nf_tables table ({@code inet netcost}, see {@link NftRuleset})
 * with one netlink dump, {@code NFT_MSG_GETOBJ} of the table's counter objects, plus one
 * {@code NFT_MSG_GETCHAIN} dump to count the table's base chains (its hooks), over a raw
 * {@code NETLINK_NETFILTER} socket opened on the {@link NetnsThread} (so it lives in that thread's
 * network namespace). Messages are parsed from a reused buffer; a counter's direction, family, class
 * and address are decoded from the bytes of its name ({@code e4-same_zone-0a0a0102}), so a read
 * allocates nothing per counter. A dump interrupted by a concurrent ruleset change
 * ({@code NLM_F_DUMP_INTR}) is read again, so the sink only ever sees one consistent generation.
 */
final class NftCounterReader implements CounterReader {
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLM_F_DUMP_INTR = 0x10;
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final int NFT_MSG_NEWCHAIN = 3;
    private static final int NFT_MSG_GETCHAIN = 4;
    private static final int NFT_MSG_NEWOBJ = 18;
    private static final int NFT_MSG_GETOBJ = 19;
    private static final int NFPROTO_INET = 1;
    private static final int NFTA_CHAIN_TABLE = 1;
    private static final int NFTA_CHAIN_HOOK = 4;
    private static final int NFTA_OBJ_TABLE = 1;
    private static final int NFTA_OBJ_NAME = 2;
    private static final int NFTA_OBJ_TYPE = 3;
    private static final int NFTA_OBJ_DATA = 4;
    private static final int NFT_OBJECT_COUNTER = 1;
    private static final int NFTA_COUNTER_BYTES = 1;
    private static final int NFTA_COUNTER_PACKETS = 2;
    private static final int ENOENT = 2;
    private static final int MAX_ATTEMPTS = 5;
    private static final int BUFFER = 256 * 1024;

    private static final Direction[] DIRECTIONS = Direction.values();
    private static final TrafficClass[] CLASSES = TrafficClass.values();
    private static final LoadBalancerCounter[] KINDS = LoadBalancerCounter.values();

    private final NetnsThread thread;
    private final LibC libc;
    private final byte[] table;
    private final int fd;
    private final Pointer nativeBuf;
    private final byte[] buf = new byte[BUFFER];
    private final Counters counters = new Counters();
    private final NftCounterNames names = new NftCounterNames();
    private int seq;
    private int baseChains;

    private NftCounterReader(NetnsThread thread, LibC libc, String table, int fd) {
        this.thread = thread;
        this.libc = libc;
        this.table = table.getBytes(StandardCharsets.US_ASCII);
        this.fd = fd;
        this.nativeBuf = Memory.allocateDirect(Runtime.getRuntime(libc), BUFFER);
    }

    /** A reader of the counters of table {@code inet <table>}. */
    static NftCounterReader open(NetnsThread thread, String table) throws IOException, InterruptedException {
        LibC c = NetnsThread.libc();
        int fd = thread.call(() -> {
            int s = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_NETFILTER);
            if (s < 0) {
                throw new IOException("cannot open a NETLINK_NETFILTER socket: " + c.strerror(NetnsThread.errno())
                        + " (possible fixes: run as root or with CAP_NET_ADMIN)");
            }
            Pointer tv = Memory.allocateDirect(Runtime.getRuntime(c), 16);
            tv.putLong(0, 5);
            tv.putLong(8, 0);
            c.setsockopt(s, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16);
            return s;
        });
        return new NftCounterReader(thread, c, table, fd);
    }

    @Override
    public String name() {
        return "netlink";
    }

    @Override
    public ReadStatus read(CounterSink sink) throws Exception {
        ReadStatus status = thread.call(this::readConsistently);
        Counters c = counters;
        for (int i = 0; i < c.size; i++) {
            TrafficClass cls = c.trafficClass[i] < 0 ? null : CLASSES[c.trafficClass[i]];
            if (c.kind[i] >= 0) {
                LoadBalancerCounter kind = KINDS[c.kind[i]];
                if (c.ipv6[i]) {
                    sink.loadBalancer6(kind, cls, c.loadBalancerId[i], c.high[i], c.low[i], c.packets[i], c.bytes[i]);
                } else {
                    sink.loadBalancer4(kind, cls, c.loadBalancerId[i], (int) c.low[i], c.packets[i], c.bytes[i]);
                }
                continue;
            }
            Direction d = DIRECTIONS[c.direction[i]];
            if (c.ipv6[i]) {
                sink.ipv6(d, cls, c.high[i], c.low[i], c.packets[i], c.bytes[i]);
            } else {
                sink.ipv4(d, cls, (int) c.low[i], c.packets[i], c.bytes[i]);
            }
        }
        return status;
    }

    private ReadStatus readConsistently() throws IOException {
        for (int attempt = 1; ; attempt++) {
            if (dump(NFT_MSG_GETOBJ) && dump(NFT_MSG_GETCHAIN)) {
                return new ReadStatus(baseChains, counters.size);
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new IOException("the nf_tables ruleset kept changing during " + MAX_ATTEMPTS + " reads");
            }
        }
    }

    /**
     * One dump of the table's counter objects into {@link #counters} or of its base chains into
     * {@link #baseChains}; false when the kernel flagged it as interrupted.
     */
    private boolean dump(int request) throws IOException {
        if (request == NFT_MSG_GETOBJ) {
            counters.size = 0;
        } else {
            baseChains = 0;
        }
        int mySeq = ++seq;
        sendRequest(request, mySeq);
        boolean interrupted = false;
        int reply = (NFNL_SUBSYS_NFTABLES << 8) | (request == NFT_MSG_GETOBJ ? NFT_MSG_NEWOBJ : NFT_MSG_NEWCHAIN);
        while (true) {
            long n = libc.recv(fd, nativeBuf, BUFFER, 0);
            if (n < 0) {
                throw new IOException("netlink recv failed: " + libc.strerror(NetnsThread.errno()));
            }
            nativeBuf.get(0, buf, 0, (int) n);
            int off = 0;
            while (off + NLMSG_HDRLEN <= n) {
                int len = i32le(off);
                int type = u16le(off + 4);
                int flags = u16le(off + 6);
                int msgSeq = i32le(off + 8);
                if (len < NLMSG_HDRLEN || off + len > n) {
                    throw new IOException("malformed netlink message (length " + len + ")");
                }
                if (msgSeq == mySeq) {
                    if ((flags & NLM_F_DUMP_INTR) != 0) {
                        interrupted = true;
                    }
                    if (type == NLMSG_DONE) {
                        return !interrupted;
                    }
                    if (type == NLMSG_ERROR) {
                        int err = -i32le(off + NLMSG_HDRLEN);
                        if (err == ENOENT) { // no such table: nothing of ours
                            return !interrupted;
                        }
                        if (err != 0) {
                            throw new IOException("nf_tables " + (request == NFT_MSG_GETOBJ ? "counter" : "chain")
                                    + " dump failed: " + libc.strerror(err));
                        }
                    } else if (type == reply) {
                        if (request == NFT_MSG_GETOBJ) {
                            counter(off + NLMSG_HDRLEN + 4, off + len);
                        } else {
                            chain(off + NLMSG_HDRLEN + 4, off + len);
                        }
                    }
                }
                off += (len + 3) & ~3;
            }
        }
    }

    /** The request: nfgenmsg for family inet, the table's name, and for counters the object type. */
    private void sendRequest(int request, int mySeq) throws IOException {
        int tableAttr = 4 + table.length + 1;
        int total = NLMSG_HDRLEN + 4 + align(tableAttr) + (request == NFT_MSG_GETOBJ ? 8 : 0);
        Pointer p = nativeBuf;
        for (int i = 0; i < total; i++) {
            p.putByte(i, (byte) 0);
        }
        p.putInt(0, total);
        p.putShort(4, (short) ((NFNL_SUBSYS_NFTABLES << 8) | request));
        p.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        p.putInt(8, mySeq);
        p.putByte(16, (byte) NFPROTO_INET);
        int a = NLMSG_HDRLEN + 4;
        p.putShort(a, (short) tableAttr);
        p.putShort(a + 2, (short) (request == NFT_MSG_GETOBJ ? NFTA_OBJ_TABLE : NFTA_CHAIN_TABLE));
        p.put(a + 4, table, 0, table.length);
        if (request == NFT_MSG_GETOBJ) {
            a += align(tableAttr);
            p.putShort(a, (short) 8);
            p.putShort(a + 2, (short) NFTA_OBJ_TYPE);
            p.putByte(a + 7, (byte) NFT_OBJECT_COUNTER); // a big-endian u32: bytes 4..6 stay zero
        }
        if (libc.send(fd, p, total, 0) != total) {
            throw new IOException("netlink send failed: " + libc.strerror(NetnsThread.errno()));
        }
    }

    /** A chain of the dump: counted when it is in our table and has a hook (a base chain). */
    private void chain(int from, int end) {
        boolean ours = false;
        boolean hook = false;
        for (int a = from; a + 4 <= end; ) {
            int len = u16le(a);
            if (len < 4) {
                break;
            }
            int type = u16le(a + 2) & 0x3FFF;
            if (type == NFTA_CHAIN_TABLE) {
                ours = equalsNul(a + 4, a + len, table);
            } else if (type == NFTA_CHAIN_HOOK) {
                hook = true;
            }
            a += align(len);
        }
        if (ours && hook) {
            baseChains++;
        }
    }

    /** A counter object of the dump: kept when it is in our table and its name is one of ours. */
    private void counter(int from, int end) {
        int name = -1;
        int nameLen = 0;
        boolean ours = false;
        long packets = 0;
        long bytes = 0;
        for (int a = from; a + 4 <= end; ) {
            int len = u16le(a);
            if (len < 4) {
                break;
            }
            int type = u16le(a + 2) & 0x3FFF;
            if (type == NFTA_OBJ_TABLE) {
                ours = equalsNul(a + 4, a + len, table);
            } else if (type == NFTA_OBJ_NAME) {
                name = a + 4;
                nameLen = strlen(name, a + len);
            } else if (type == NFTA_OBJ_DATA) {
                for (int d = a + 4; d + 4 <= a + len; ) {
                    int dl = u16le(d);
                    if (dl < 4) {
                        break;
                    }
                    int dt = u16le(d + 2) & 0x3FFF;
                    if (dt == NFTA_COUNTER_BYTES && dl >= 12) {
                        bytes = i64be(d + 4);
                    } else if (dt == NFTA_COUNTER_PACKETS && dl >= 12) {
                        packets = i64be(d + 4);
                    }
                    d += align(dl);
                }
            }
            a += align(len);
        }
        if (ours && name >= 0) {
            parseName(name, nameLen, packets, bytes);
        }
    }

    /** Adds the counter when its name is one of netcost's. */
    private void parseName(int at, int len, long packets, long bytes) {
        if (names.parse(buf, at, len)) {
            counters.add(names.direction == null ? -1 : names.direction.ordinal(),
                    names.trafficClass == null ? -1 : names.trafficClass.ordinal(),
                    names.loadBalancerKind == null ? -1 : names.loadBalancerKind.ordinal(), names.loadBalancerId,
                    names.ipv6, names.high, names.low, packets, bytes);
        }
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }

    private int strlen(int from, int end) {
        int i = from;
        while (i < end && buf[i] != 0) {
            i++;
        }
        return i - from;
    }

    private boolean startsWith(int at, byte[] p) {
        for (int i = 0; i < p.length; i++) {
            if (buf[at + i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean equalsNul(int at, int end, byte[] s) {
        return strlen(at, end) == s.length && startsWith(at, s);
    }

    private int u16le(int at) {
        return (buf[at] & 0xFF) | (buf[at + 1] & 0xFF) << 8;
    }

    private int i32le(int at) {
        return (buf[at] & 0xFF) | (buf[at + 1] & 0xFF) << 8 | (buf[at + 2] & 0xFF) << 16 | (buf[at + 3] & 0xFF) << 24;
    }

    private int i32be(int at) {
        return (buf[at] & 0xFF) << 24 | (buf[at + 1] & 0xFF) << 16 | (buf[at + 2] & 0xFF) << 8 | (buf[at + 3] & 0xFF);
    }

    private long i64be(int at) {
        return ((long) i32be(at) << 32) | (i32be(at + 4) & 0xFFFFFFFFL);
    }

    /** The thread reads run on, for measuring what they allocate. */
    // VisibleForTesting
    NetnsThread thread() {
        return thread;
    }

    @Override
    public void close() {
        libc.close(fd);
    }

    /** The counters of one dump, in arrays that grow and are reused. */
    private static final class Counters {
        byte[] direction = new byte[256];
        byte[] trafficClass = new byte[256];
        /** The {@link LoadBalancerCounter} ordinal of a load balancer's counter, -1 for a class counter. */
        byte[] kind = new byte[256];
        int[] loadBalancerId = new int[256];
        boolean[] ipv6 = new boolean[256];
        long[] high = new long[256];
        long[] low = new long[256];
        long[] packets = new long[256];
        long[] bytes = new long[256];
        int size;

        void add(int d, int cls, int k, int lb, boolean v6, long hi, long lo, long p, long b) {
            if (size == direction.length) {
                int n = size * 2;
                kind = Arrays.copyOf(kind, n);
                loadBalancerId = Arrays.copyOf(loadBalancerId, n);
                direction = Arrays.copyOf(direction, n);
                trafficClass = Arrays.copyOf(trafficClass, n);
                ipv6 = Arrays.copyOf(ipv6, n);
                high = Arrays.copyOf(high, n);
                low = Arrays.copyOf(low, n);
                packets = Arrays.copyOf(packets, n);
                bytes = Arrays.copyOf(bytes, n);
            }
            direction[size] = (byte) d;
            trafficClass[size] = (byte) cls;
            kind[size] = (byte) k;
            loadBalancerId[size] = lb;
            ipv6[size] = v6;
            high[size] = hi;
            low[size] = lo;
            packets[size] = p;
            bytes[size] = b;
            size++;
        }
    }
}
