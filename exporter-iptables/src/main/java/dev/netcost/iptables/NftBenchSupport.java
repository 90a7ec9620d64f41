package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Public handle on the nft backend's internals for the JMH benchmarks in {@code bench/}: reconciles
 * netcost's {@code inet netcost} table for a set of pods and reads its counters back, either with
 * the netlink GETOBJ reader or by running {@code nft list counters table inet netcost} and parsing
 * its output (the "save" of this backend), both into the same summing sink, all in one network
 * namespace. Not used by the agent.
 */
public final class NftBenchSupport implements AutoCloseable {
    private static final String TABLE = "netcost";

    private final CommandRunner runner;
    private final NetnsThread thread;
    private final NftCounterReader netlink;
    private final NftReconciler reconciler;
    private final NftCounterNames names = new NftCounterNames();
    private final Sum sum = new Sum();
    private final List<String> listArgv = List.of("nft", "list", "counters", "table", "inet", TABLE);

    /** @param netns the network namespace file to work in, e.g. {@code /run/netns/bench} */
    public NftBenchSupport(Path netns) throws IOException, InterruptedException {
        this.runner = new CommandRunner(netns, "nsenter", Duration.ofSeconds(60));
        this.thread = new NetnsThread(netns);
        this.netlink = NftCounterReader.open(thread, TABLE);
        this.reconciler = new NftReconciler(runner, "nft", TABLE);
    }

    /** Brings the table to these pods and sets (IPv4 and IPv6); returns the number of counters planned. */
    public int reconcile(List<PodInfo> pods, ClassificationSets sets) throws IOException, InterruptedException {
        return reconciler.reconcile(NftRuleset.build(TABLE, pods, sets, true)).counters();
    }

    /** Like {@link #reconcile} but returns the length of the script applied (0 when nothing changed). */
    public int reconcileScriptLength(List<PodInfo> pods, ClassificationSets sets) throws IOException, InterruptedException {
        return reconciler.reconcile(NftRuleset.build(TABLE, pods, sets, true)).script().length();
    }

    /** Deletes the table. */
    public void cleanup() throws IOException, InterruptedException {
        reconciler.cleanup();
    }

    /**
     * Reads every counter with {@code netlink} or {@code nft-list} into a sink that sums them; returns
     * the sum of the bytes. The counters read are checked against {@code expected}.
     */
    public long read(String reader, int expected) throws Exception {
        sum.reset();
        switch (reader) {
            case "netlink" -> netlink.read(sum);
            case "nft-list" -> list(sum);
            default -> throw new IllegalArgumentException("unknown reader " + reader);
        }
        if (sum.counters != expected) {
            throw new IllegalStateException(reader + " read " + sum.counters + " counters, expected " + expected);
        }
        return sum.bytes;
    }

    /** Parses {@code nft list counters table inet netcost}: a {@code counter NAME} line, then {@code packets P bytes B}. */
    private void list(CounterSink sink) throws IOException, InterruptedException {
        byte[] out = runner.check(listArgv, null).stdout();
        int i = 0;
        while (i < out.length) {
            int lineEnd = i;
            while (lineEnd < out.length && out[lineEnd] != '\n') {
                lineEnd++;
            }
            int p = i;
            while (p < lineEnd && (out[p] == '\t' || out[p] == ' ')) {
                p++;
            }
            if (startsWith(out, p, lineEnd, "counter ")) {
                int name = p + 8;
                int nameEnd = name;
                while (nameEnd < lineEnd && out[nameEnd] != ' ') {
                    nameEnd++;
                }
                boolean ours = names.parse(out, name, nameEnd - name);
                // The next line: packets P bytes B
                int next = lineEnd + 1;
                int nextEnd = next;
                while (nextEnd < out.length && out[nextEnd] != '\n') {
                    nextEnd++;
                }
                int q = next;
                while (q < nextEnd && (out[q] == '\t' || out[q] == ' ')) {
                    q++;
                }
                if (ours && startsWith(out, q, nextEnd, "packets ")) {
                    q += 8;
                    long packets = 0;
                    while (q < nextEnd && out[q] >= '0' && out[q] <= '9') {
                        packets = packets * 10 + (out[q++] - '0');
                    }
                    long bytes = 0;
                    if (startsWith(out, q, nextEnd, " bytes ")) {
                        q += 7;
                        while (q < nextEnd && out[q] >= '0' && out[q] <= '9') {
                            bytes = bytes * 10 + (out[q++] - '0');
                        }
                    }
                    names.emit(sink, packets, bytes);
                }
                lineEnd = nextEnd;
            }
            i = lineEnd + 1;
        }
    }

    private static boolean startsWith(byte[] b, int at, int end, String s) {
        if (end - at < s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (b[at + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        netlink.close();
        thread.close();
    }

    /** Sums what a read hands over. */
    private static final class Sum implements CounterSink {
        long bytes;
        int counters;

        void reset() {
            bytes = 0;
            counters = 0;
        }

        @Override
        public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long b) {
            bytes += b;
            counters++;
        }

        @Override
        public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long b) {
            bytes += b;
            counters++;
        }
    }
}
