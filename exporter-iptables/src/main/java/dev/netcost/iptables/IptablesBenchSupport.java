package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Public handle on the exporter's internals for the JMH benchmarks in {@code bench/}: reconciles the
 * counters for a set of pods in one of three places — iptables-legacy ({@code legacy}), iptables-nft
 * ({@code nft}) or netcost's own nf_tables table ({@code nftables}, the {@code nft} backend) — and
 * reads them back with each reader, all in one network namespace. Not used by the agent.
 */
public final class IptablesBenchSupport implements AutoCloseable {
    private final ChainNames names = new ChainNames("NETCOST");
    private final CommandRunner runner;
    private final NetnsThread thread;
    private final CounterReader sockopt;
    private final CounterReader legacySave;
    private final CounterReader nftSave;
    private final IptablesReconciler legacy;
    private final IptablesReconciler nft;
    private final NftReconciler nftables;
    private final CounterReader netlink;
    private final CounterReader nftList;
    private final PodCounters counters = new PodCounters();

    /** @param netns the network namespace file to work in, e.g. {@code /run/netns/bench} */
    public IptablesBenchSupport(Path netns) throws IOException, InterruptedException {
        IptablesConfig.Commands c = IptablesConfig.Commands.DEFAULT;
        this.runner = new CommandRunner(netns, c.nsenter(), Duration.ofSeconds(60));
        this.thread = new NetnsThread(netns);
        this.sockopt = SockoptCounterReader.open(thread, names);
        this.legacySave = new SaveCounterReader(runner, c.legacySave(), names);
        this.nftSave = new SaveCounterReader(runner, c.nftSave(), names);
        this.legacy = new IptablesReconciler(runner, IptablesFamily.LEGACY, c, names, Duration.ofSeconds(5));
        this.nft = new IptablesReconciler(runner, IptablesFamily.NFT, c, names, Duration.ofSeconds(5));
        String table = NftRuleset.tableName(names);
        this.nftables = new NftReconciler(runner, c.nft(), table);
        this.netlink = NftCounterReader.open(thread, table);
        this.nftList = new NftListCounterReader(runner, c.nft(), table);
    }

    /**
     * Brings the counters of one place ({@code legacy}, {@code nft} or {@code nftables}) to these pods
     * and sets (IPv4 pods: iptables only); returns the length of the restore input / nft script applied.
     */
    public int reconcile(String family, List<PodInfo> pods, ClassificationSets sets) throws IOException, InterruptedException {
        if (family.equals("nftables")) {
            return nftables.reconcile(NftRuleset.build(nftables.table(), pods, sets, true)).script().length();
        }
        return reconciler(family).reconcile(AccountingRules.build(names, pods, sets)).length();
    }

    /** As {@link #reconcile(String, List, ClassificationSets)}, with counters for these load balancers seen from {@code zone}. */
    public int reconcile(String family, List<PodInfo> pods, ClassificationSets sets, List<LoadBalancer> loadBalancers, String zone)
            throws IOException, InterruptedException {
        LoadBalancerIndex lbs = LoadBalancerIndex.build(loadBalancers, zone);
        if (family.equals("nftables")) {
            return nftables.reconcile(NftRuleset.build(nftables.table(), pods, sets, lbs, true)).script().length();
        }
        return reconciler(family).reconcile(AccountingRules.build(names, pods, sets, lbs, false, AccountingRules.NO_SETS)).length();
    }

    /** Counting rules (and so nft counters) the pods, sets and load balancers make. */
    public int countingRules(List<PodInfo> pods, ClassificationSets sets, List<LoadBalancer> loadBalancers, String zone) {
        return AccountingRules.build(names, pods, sets, LoadBalancerIndex.build(loadBalancers, zone), false,
                AccountingRules.NO_SETS).countingRules();
    }

    /** Removes everything netcost added in one place. */
    public void cleanup(String family) throws IOException, InterruptedException {
        if (family.equals("nftables")) {
            nftables.cleanup();
        } else {
            reconciler(family).cleanup();
        }
    }

    /** Counting rules the pods and sets make (classification rules not included). */
    public int countingRules(List<PodInfo> pods, ClassificationSets sets) {
        return AccountingRules.build(names, pods, sets).countingRules();
    }

    /**
     * Reads the counters with one reader ({@code sockopt} and {@code legacy-save} for {@code legacy},
     * {@code nft-save} for {@code nft}, {@code netlink} and {@code nft-list} for {@code nftables}) and
     * turns them into samples, as one exporter cycle does; returns the sum of
     * the byte samples.
     */
    public double read(String reader, ClusterMetadata metadata) throws Exception {
        CounterReader r = reader(reader);
        counters.begin(metadata);
        r.read(counters);
        double[] sum = new double[1];
        counters.emit((labels, value, ts) -> {
            if (labels.metricName().equals(PodCounters.BYTES)) {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    /**
     * Reads the counters with one reader into a sink that ignores them, without finding pods or
     * making samples: the reader's own cost. Returns the number of counters read.
     */
    public int readOnly(String reader) throws Exception {
        return reader(reader).read(CounterSinks.NONE).counters();
    }

    private CounterReader reader(String name) {
        return switch (name) {
            case "sockopt" -> sockopt;
            case "legacy-save" -> legacySave;
            case "nft-save" -> nftSave;
            case "netlink" -> netlink;
            case "nft-list" -> nftList;
            default -> throw new IllegalArgumentException("unknown reader " + name);
        };
    }

    private IptablesReconciler reconciler(String family) {
        return switch (family) {
            case "legacy" -> legacy;
            case "nft" -> nft;
            default -> throw new IllegalArgumentException("unknown family " + family);
        };
    }

    @Override
    public void close() {
        sockopt.close();
        netlink.close();
        thread.close();
    }
}
