package dev.netcost.iptables;

import java.io.IOException;
import java.util.List;

/**
 * Reads the {@code nft} backend's counters by running {@code nft list counters table inet <table>}
 * and parsing its output: a {@code counter NAME {} line, then {@code packets P bytes B}. What the
 * nft program itself costs, for comparison with {@link NftCounterReader} (the benchmarks), and a
 * second, independent reader for the tests. A missing table reads as nothing.
 */
final class NftListCounterReader implements CounterReader {
    private final CommandRunner runner;
    private final List<String> argv;
    private final NftCounterNames names = new NftCounterNames();

    NftListCounterReader(CommandRunner runner, String nft, String table) {
        this.runner = runner;
        this.argv = List.of(nft, "list", "counters", "table", "inet", table);
    }

    @Override
    public String name() {
        return "nft-list";
    }

    @Override
    public ReadStatus read(CounterSink sink) throws IOException, InterruptedException {
        CommandRunner.Result r = runner.run(argv, null);
        if (r.exitCode() != 0) {
            if (NftReconciler.tableAbsent(r)) {
                return new ReadStatus(0, 0);
            }
            throw new IOException(String.join(" ", argv) + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        byte[] out = r.stdout();
        int counters = 0;
        int i = 0;
        while (i < out.length) {
            int lineEnd = lineEnd(out, i);
            int p = skipBlanks(out, i, lineEnd);
            if (startsWith(out, p, lineEnd, "counter ")) {
                int name = p + "counter ".length();
                int nameEnd = name;
                while (nameEnd < lineEnd && out[nameEnd] != ' ') {
                    nameEnd++;
                }
                boolean ours = names.parse(out, name, nameEnd - name);
                int next = lineEnd + 1;
                int nextEnd = lineEnd(out, next);
                int q = skipBlanks(out, next, nextEnd);
                if (ours && startsWith(out, q, nextEnd, "packets ")) {
                    q += "packets ".length();
                    long packets = 0;
                    while (q < nextEnd && out[q] >= '0' && out[q] <= '9') {
                        packets = packets * 10 + (out[q++] - '0');
                    }
                    long bytes = 0;
                    if (startsWith(out, q, nextEnd, " bytes ")) {
                        q += " bytes ".length();
                        while (q < nextEnd && out[q] >= '0' && out[q] <= '9') {
                            bytes = bytes * 10 + (out[q++] - '0');
                        }
                    }
                    names.emit(sink, packets, bytes);
                    counters++;
                }
                lineEnd = nextEnd;
            }
            i = lineEnd + 1;
        }
        // The listing has no hooks: the table exists, which is all this reader can tell.
        return new ReadStatus(1, counters);
    }

    private static int lineEnd(byte[] b, int from) {
        int i = from;
        while (i < b.length && b[i] != '\n') {
            i++;
        }
        return i;
    }

    private static int skipBlanks(byte[] b, int from, int end) {
        int i = from;
        while (i < end && (b[i] == '\t' || b[i] == ' ')) {
            i++;
        }
        return i;
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
}
