package dev.netcost.iptables;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Reads netcost's counters from the nf_tables mangle table (iptables-nft) with one netlink dump,
 * {@code NFT_MSG_GETRULE} for table {@code ip mangle} (or {@code ip6 mangle}, ip6tables-nft's, for
 * IPv6 pod chains), over a raw {@code NETLINK_NETFILTER} socket
 * opened on the {@link NetnsThread} (so it lives in that thread's network namespace). Messages are
 * parsed from a reused buffer; only rules of netcost's pod chains and of POSTROUTING are decoded.
 * A dump interrupted by a concurrent ruleset change ({@code NLM_F_DUMP_INTR}) is read again, so the
 * sink only ever sees one consistent generation.
 */
final class NftCounterReader implements CounterReader {
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLM_F_DUMP_INTR = 0x10;
    private static final int NFNL_SUBSYS_NFTABLES = 10;
    private static final int NFT_MSG_NEWRULE = 6;
    private static final int NFT_MSG_GETRULE = 7;
    private static final int NFPROTO_IPV4 = 2;
    private static final int NFPROTO_IPV6 = 10;
    private static final int NFTA_RULE_TABLE = 1;
    private static final int NFTA_RULE_CHAIN = 2;
    private static final int NFTA_RULE_EXPRESSIONS = 4;
    private static final int NFTA_RULE_USERDATA = 7;
    private static final int NFTA_LIST_ELEM = 1;
    private static final int NFTA_EXPR_NAME = 1;
    private static final int NFTA_EXPR_DATA = 2;
    private static final int NFTA_COUNTER_BYTES = 1;
    private static final int NFTA_COUNTER_PACKETS = 2;
    private static final int NFTA_IMMEDIATE_DATA = 2;
    private static final int NFTA_DATA_VERDICT = 2;
    private static final int NFTA_VERDICT_CODE = 1;
    private static final int NFTA_VERDICT_CHAIN = 2;
    private static final int NFTA_MATCH_NAME = 1;
    private static final int NFTA_MATCH_INFO = 3;
    private static final int NFT_JUMP = -3;
    private static final int NFTNL_UDATA_RULE_COMMENT = 0;
    private static final int ENOENT = 2;
    private static final int MAX_ATTEMPTS = 5;
    private static final int BUFFER = 256 * 1024;

    private static final byte[] COUNTER = ascii("counter");
    private static final byte[] IMMEDIATE = ascii("immediate");
    private static final byte[] MATCH = ascii("match");
    private static final byte[] COMMENT = ascii("comment");
    private static final byte[] POSTROUTING = ascii("POSTROUTING");

    private final NetnsThread thread;
    private final LibC libc;
    private final ChainNames names;
    private final byte[] prefix;
    private final int podChainLength;
    private final byte[] main;
    private final int fd;
    private final int nfproto;
    private final Pointer nativeBuf;
    private final byte[] buf = new byte[BUFFER];
    private final ByteBuffer view = ByteBuffer.wrap(buf);
    private final ByteStrings chainNames = new ByteStrings();
    private final ByteStrings comments = new ByteStrings();
    private final Rules rules = new Rules();
    private int seq;
    private String lastChain;
    private int chainSlot;
    private int commentSlot;

    // Per-rule scratch, filled by parse().
    private int chainStart;
    private int chainLen;
    private long packets;
    private long bytes;
    private boolean jump;
    private String comment;

    private NftCounterReader(NetnsThread thread, LibC libc, ChainNames names, int fd, int nfproto) {
        this.nfproto = nfproto;
        this.thread = thread;
        this.libc = libc;
        this.names = names;
        this.prefix = ascii(names.main() + "-");
        this.podChainLength = names.main().length() + 11;
        this.main = ascii(names.main());
        this.fd = fd;
        this.nativeBuf = Memory.allocateDirect(Runtime.getRuntime(libc), BUFFER);
    }

    static NftCounterReader open(NetnsThread thread, ChainNames names) throws IOException, InterruptedException {
        return open(thread, names, false);
    }

    /** A reader of the {@code ip6 mangle} table (ip6tables-nft) when {@code ipv6}, else of {@code ip mangle}. */
    static NftCounterReader open(NetnsThread thread, ChainNames names, boolean ipv6) throws IOException, InterruptedException {
        LibC c = NetnsThread.libc();
        int fd = thread.call(() -> {
            int s = c.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_NETFILTER);
            if (s < 0) {
                throw new IOException("cannot open a NETLINK_NETFILTER socket: " + c.strerror(NetnsThread.errno()));
            }
            Pointer tv = Memory.allocateDirect(Runtime.getRuntime(c), 16);
            tv.putLong(0, 5);
            tv.putLong(8, 0);
            c.setsockopt(s, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16);
            return s;
        });
        return new NftCounterReader(thread, c, names, fd, ipv6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String name() {
        return "netlink";
    }

    @Override
    public ReadStatus read(CounterSink sink) throws Exception {
        ReadStatus status = thread.call(this::dumpConsistently);
        for (int i = 0; i < rules.size; i++) {
            sink.rule(rules.chains[i], rules.comments[i], rules.packets[i], rules.bytes[i]);
        }
        return status;
    }

    private ReadStatus dumpConsistently() throws IOException {
        for (int attempt = 1; ; attempt++) {
            ReadStatus s = dump();
            if (s != null) {
                return s;
            }
            if (attempt == MAX_ATTEMPTS) {
                throw new IOException("the nf_tables ruleset kept changing during " + MAX_ATTEMPTS + " reads");
            }
        }
    }

    /** One dump into {@link #rules}; null when the kernel flagged it as interrupted. */
    private ReadStatus dump() throws IOException {
        rules.size = 0;
        lastChain = null;
        chainSlot = 0;
        commentSlot = 0;
        int mySeq = ++seq;
        sendRequest(mySeq);
        int jumps = 0;
        int podChains = 0;
        String previousPodChain = null;
        boolean interrupted = false;
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
                        return interrupted ? null : new ReadStatus(jumps, podChains);
                    }
                    if (type == NLMSG_ERROR) {
                        int err = -i32le(off + NLMSG_HDRLEN);
                        if (err == 0) {
                            off += (len + 3) & ~3;
                            continue;
                        }
                        if (err == ENOENT) { // no mangle table yet: nothing of ours either
                            return new ReadStatus(0, 0);
                        }
                        throw new IOException("nf_tables rule dump failed: " + libc.strerror(err));
                    }
                    if (type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE)) {
                        int kind = parse(off + NLMSG_HDRLEN + 4, off + len);
                        if (kind == 1) {
                            String chain = podChain();
                            if (chain != null) {
                                if (chain != previousPodChain) {
                                    podChains++;
                                    previousPodChain = chain;
                                }
                                rules.add(chain, comment, packets, bytes);
                            }
                        } else if (kind == 2 && jump) {
                            jumps++;
                        }
                    }
                }
                off += (len + 3) & ~3;
            }
        }
    }

    private void sendRequest(int mySeq) throws IOException {
        byte[] table = ascii("mangle");
        int attrLen = 4 + table.length + 1;
        int total = NLMSG_HDRLEN + 4 + ((attrLen + 3) & ~3);
        Pointer p = nativeBuf;
        p.putInt(0, total);
        p.putShort(4, (short) ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE));
        p.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
        p.putInt(8, mySeq);
        p.putInt(12, 0);
        p.putByte(16, (byte) nfproto);
        p.putByte(17, (byte) 0);
        p.putShort(18, (short) 0);
        p.putShort(20, (short) attrLen);
        p.putShort(22, (short) NFTA_RULE_TABLE);
        p.put(24, table, 0, table.length);
        for (int i = 24 + table.length; i < total; i++) {
            p.putByte(i, (byte) 0);
        }
        if (libc.send(fd, p, total, 0) != total) {
            throw new IOException("netlink send failed: " + libc.strerror(NetnsThread.errno()));
        }
    }

    /**
     * Parses one rule's attributes; returns 1 for a rule in a chain starting with the prefix, 2 for a
     * POSTROUTING rule, 0 for anything else (then nothing beyond the chain name is decoded).
     */
    private int parse(int from, int end) {
        chainStart = -1;
        packets = 0;
        bytes = 0;
        jump = false;
        comment = null;
        int kind = 0;
        int expressions = -1;
        int expressionsEnd = 0;
        int userdata = -1;
        int userdataEnd = 0;
        for (int a = from; a + 4 <= end; ) {
            int len = u16le(a);
            int type = u16le(a + 2) & 0x3FFF;
            if (len < 4) {
                break;
            }
            if (type == NFTA_RULE_CHAIN) {
                chainStart = a + 4;
                chainLen = strlen(chainStart, a + len);
                if (chainLen == podChainLength && startsWith(chainStart, chainLen, prefix)) {
                    kind = 1;
                } else if (equals(chainStart, chainLen, POSTROUTING)) {
                    kind = 2;
                }
            } else if (type == NFTA_RULE_EXPRESSIONS) {
                expressions = a + 4;
                expressionsEnd = a + len;
            } else if (type == NFTA_RULE_USERDATA) {
                userdata = a + 4;
                userdataEnd = a + len;
            }
            a += (len + 3) & ~3;
        }
        if (kind == 0) {
            return 0;
        }
        if (expressions >= 0) {
            expressions(expressions, expressionsEnd);
        }
        if (userdata >= 0 && comment == null) {
            for (int u = userdata; u + 2 <= userdataEnd; ) {
                int t = buf[u] & 0xFF;
                int l = buf[u + 1] & 0xFF;
                if (t == NFTNL_UDATA_RULE_COMMENT && u + 2 + l <= userdataEnd) {
                    comment = comments.get(commentSlot++, view, u + 2, strlen(u + 2, u + 2 + l));
                    break;
                }
                u += 2 + l;
            }
        }
        return kind;
    }

    private void expressions(int from, int end) {
        for (int e = from; e + 4 <= end; ) {
            int len = u16le(e);
            if (len < 4) {
                return;
            }
            if ((u16le(e + 2) & 0x3FFF) == NFTA_LIST_ELEM) {
                expression(e + 4, e + len);
            }
            e += (len + 3) & ~3;
        }
    }

    private void expression(int from, int end) {
        int name = -1;
        int nameLen = 0;
        int data = -1;
        int dataEnd = 0;
        for (int a = from; a + 4 <= end; ) {
            int len = u16le(a);
            if (len < 4) {
                return;
            }
            int type = u16le(a + 2) & 0x3FFF;
            if (type == NFTA_EXPR_NAME) {
                name = a + 4;
                nameLen = strlen(name, a + len);
            } else if (type == NFTA_EXPR_DATA) {
                data = a + 4;
                dataEnd = a + len;
            }
            a += (len + 3) & ~3;
        }
        if (name < 0 || data < 0) {
            return;
        }
        if (equals(name, nameLen, COUNTER)) {
            for (int a = data; a + 4 <= dataEnd; a += (u16le(a) + 3) & ~3) {
                int type = u16le(a + 2) & 0x3FFF;
                if (type == NFTA_COUNTER_BYTES) {
                    bytes = i64be(a + 4);
                } else if (type == NFTA_COUNTER_PACKETS) {
                    packets = i64be(a + 4);
                }
                if (u16le(a) < 4) {
                    return;
                }
            }
        } else if (equals(name, nameLen, IMMEDIATE)) {
            int verdictData = find(data, dataEnd, NFTA_IMMEDIATE_DATA);
            int verdict = verdictData < 0 ? -1 : find(verdictData + 4, verdictData + u16le(verdictData), NFTA_DATA_VERDICT);
            if (verdict >= 0) {
                int vEnd = verdict + u16le(verdict);
                int code = find(verdict + 4, vEnd, NFTA_VERDICT_CODE);
                int chain = find(verdict + 4, vEnd, NFTA_VERDICT_CHAIN);
                if (code >= 0 && i32be(code + 4) == NFT_JUMP && chain >= 0) {
                    int cs = chain + 4;
                    jump = equals(cs, strlen(cs, chain + u16le(chain)), main);
                }
            }
        } else if (equals(name, nameLen, MATCH)) {
            int matchName = find(data, dataEnd, NFTA_MATCH_NAME);
            int info = find(data, dataEnd, NFTA_MATCH_INFO);
            if (matchName >= 0 && info >= 0 && equals(matchName + 4, strlen(matchName + 4, matchName + u16le(matchName)), COMMENT)) {
                int s = info + 4;
                comment = comments.get(commentSlot++, view, s, strlen(s, info + u16le(info)));
            }
        }
    }

    /** The offset of the first attribute of {@code type} in [from, end), or -1. */
    private int find(int from, int end, int type) {
        for (int a = from; a + 4 <= end; ) {
            int len = u16le(a);
            if (len < 4) {
                return -1;
            }
            if ((u16le(a + 2) & 0x3FFF) == type) {
                return a;
            }
            a += (len + 3) & ~3;
        }
        return -1;
    }

    /** The pod chain name of the rule just parsed (null for another chain with the prefix), reusing Strings. */
    private String podChain() {
        if (lastChain != null && lastChain.length() == chainLen && equalsString(chainStart, lastChain)) {
            return lastChain;
        }
        String name = chainNames.get(chainSlot++, view, chainStart, chainLen);
        if (!names.isPodChain(name)) {
            return null;
        }
        lastChain = name;
        return name;
    }

    private boolean equalsString(int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (buf[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int strlen(int from, int end) {
        int i = from;
        while (i < end && buf[i] != 0) {
            i++;
        }
        return i - from;
    }

    private boolean startsWith(int at, int len, byte[] p) {
        if (len < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (buf[at + i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean equals(int at, int len, byte[] p) {
        return len == p.length && startsWith(at, len, p);
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

    @Override
    public void close() {
        libc.close(fd);
    }

    /** The rules of one dump, in arrays that grow and are reused. */
    private static final class Rules {
        String[] chains = new String[64];
        String[] comments = new String[64];
        long[] packets = new long[64];
        long[] bytes = new long[64];
        int size;

        void add(String chain, String comment, long p, long b) {
            if (size == chains.length) {
                int n = size * 2;
                chains = java.util.Arrays.copyOf(chains, n);
                comments = java.util.Arrays.copyOf(comments, n);
                packets = java.util.Arrays.copyOf(packets, n);
                bytes = java.util.Arrays.copyOf(bytes, n);
            }
            chains[size] = chain;
            comments[size] = comment;
            packets[size] = p;
            bytes[size] = b;
            size++;
        }
    }
}
