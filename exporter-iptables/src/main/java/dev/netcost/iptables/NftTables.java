package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.util.List;

/**
 * The {@code nft} backend: netcost's own {@code inet} table with one named counter per pod address,
 * direction and class ({@link NftRuleset}), kept by {@link NftReconciler} and read with one netlink
 * dump of the counter objects ({@link NftCounterReader}). IPv4 and IPv6 live in the same table.
 */
final class NftTables implements CounterTables {
    private final NftReconciler reconciler;
    private final NftCounterReader reader;
    private final boolean ipv6;
    private int expectedCounters = -1;

    private NftTables(NftReconciler reconciler, NftCounterReader reader, boolean ipv6) {
        this.reconciler = reconciler;
        this.reader = reader;
        this.ipv6 = ipv6;
    }

    /**
     * Opens the netlink reader on {@code thread} and checks that the nft program runs.
     *
     * @throws CommandRunner.NotFoundException when the nft program is not installed
     * @throws IOException when nft or the netlink socket does not work here
     */
    static NftTables open(CommandRunner runner, String nft, NetnsThread thread, ChainNames names, boolean ipv6)
            throws IOException, InterruptedException {
        String table = NftRuleset.tableName(names);
        NftReconciler reconciler = new NftReconciler(runner, nft, table);
        reconciler.current();
        NftCounterReader reader = NftCounterReader.open(thread, table);
        try {
            reader.read(CounterSinks.NONE);
        } catch (Exception e) {
            reader.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
        return new NftTables(reconciler, reader, ipv6);
    }

    @Override
    public String description() {
        return "nf_tables table inet " + reconciler.table() + " (IPv4" + (ipv6 ? " and IPv6" : "") + "), counters read via "
                + reader.name();
    }

    @Override
    public List<String> reconcile(List<PodInfo> pods, ClassificationSets sets, LoadBalancerIndex loadBalancers)
            throws IOException, InterruptedException {
        expectedCounters = -1;
        NftRuleset wanted = NftRuleset.build(reconciler.table(), pods, sets, loadBalancers, ipv6);
        expectedCounters = reconciler.reconcile(wanted).counters();
        return wanted.skipped();
    }

    @Override
    public String read(CounterSink sink) throws Exception {
        ReadStatus s = reader.read(sink);
        if (expectedCounters < 0 || s.hooks() == 1 && s.counters() == expectedCounters) {
            return null;
        }
        return s.hooks() + " base chains in table inet " + reconciler.table() + ", " + s.counters() + " of " + expectedCounters
                + " counters present";
    }

    @Override
    public void cleanup() throws IOException, InterruptedException {
        reconciler.cleanup();
    }

    @Override
    public void close() {
        reader.close();
    }

    // VisibleForTesting
    NftReconciler reconciler() {
        return reconciler;
    }

    // VisibleForTesting
    NftCounterReader reader() {
        return reader;
    }
}
