package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Public handle on the exporter's internals for the JMH benchmarks in {@code bench/}: reconciles the
 * rules for a set of pods and reads the counters back with each reader, all in one network
 * namespace. Not used by the agent.
 */
public final class IptablesBenchSupport implements AutoCloseable {
    private final ChainNames names = new ChainNames("NETCOST");
    private final CommandRunner runner;
    private final NetnsThread thread;
    private final RuleReader sockopt;
    private final RuleReader netlink;
    private final RuleReader legacySave;
    private final RuleReader nftSave;
    private final IptablesReconciler legacy;
    private final IptablesReconciler nft;
    private final PodCounters counters = new PodCounters(names);

    /** @param netns the network namespace file to work in, e.g. {@code /run/netns/bench} */
    public IptablesBenchSupport(Path netns) throws IOException, InterruptedException {
        IptablesConfig.Commands c = IptablesConfig.Commands.DEFAULT;
        this.runner = new CommandRunner(netns, c.nsenter(), Duration.ofSeconds(60));
        this.thread = new NetnsThread(netns);
        this.sockopt = SockoptCounterReader.open(thread, names);
        this.netlink = null; // TODO(integrator): the ip mangle netlink reader is gone on branch wt-nft (see NftBenchSupport)
        this.legacySave = new SaveCounterReader(runner, c.legacySave(), names);
        this.nftSave = new SaveCounterReader(runner, c.nftSave(), names);
        this.legacy = new IptablesReconciler(runner, IptablesFamily.LEGACY, c, names, Duration.ofSeconds(5));
        this.nft = new IptablesReconciler(runner, IptablesFamily.NFT, c, names, Duration.ofSeconds(5));
    }

    /** Brings the rules of one family ({@code legacy} or {@code nft}) to these pods and sets; returns the restore input's length. */
    public int reconcile(String family, List<PodInfo> pods, ClassificationSets sets) throws IOException, InterruptedException {
        return reconciler(family).reconcile(AccountingRules.build(names, pods, sets)).length();
    }

    /** Removes everything netcost added in one family. */
    public void cleanup(String family) throws IOException, InterruptedException {
        reconciler(family).cleanup();
    }

    /** Counting rules the pods and sets make (dispatch rules not included). */
    public int countingRules(List<PodInfo> pods, ClassificationSets sets) {
        return AccountingRules.build(names, pods, sets).podChains().values().stream().mapToInt(ch -> ch.rules().size()).sum();
    }

    /**
     * Reads the counters with one reader ({@code sockopt}, {@code netlink}, {@code legacy-save},
     * {@code nft-save}) and turns them into samples, as one exporter cycle does; returns the sum of
     * the byte samples.
     */
    public double read(String reader, ClusterMetadata metadata) throws Exception {
        RuleReader r = switch (reader) {
            case "sockopt" -> sockopt;
            case "netlink" -> netlink;
            case "legacy-save" -> legacySave;
            case "nft-save" -> nftSave;
            default -> throw new IllegalArgumentException("unknown reader " + reader);
        };
        counters.begin();
        r.read(counters);
        double[] sum = new double[1];
        counters.emit(metadata, (labels, value, ts) -> {
            if (labels.metricName().equals(PodCounters.BYTES)) {
                sum[0] += value;
            }
        });
        return sum[0];
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
        thread.close();
    }
}
