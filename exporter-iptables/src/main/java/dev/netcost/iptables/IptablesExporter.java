package dev.netcost.iptables;

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.spi.SourceUnavailableException;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-pod bytes and packets by direction and class, and per pod and known load balancer bytes by
 * direction and zone class and new connections, from counters netcost owns in the kernel. Each cycle: reconcile the rules when the metadata changed (or something removed them), read
 * the counters, emit the samples. See docs/iptables.md for the rules and the packet paths.
 */
final class IptablesExporter implements Exporter {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesExporter.class);

    private final IptablesConfig config;
    private final ExporterContext context;
    private final ClusterMetadata metadata;
    private final ChainNames names;
    private final CommandRunner runner;
    private final PodCounters counters;
    private final ThrottledLogger throttled;
    private final Counter reconcileFailures;
    private final Counter repairs;

    private CounterTables tables;
    private NetnsThread nativeThread;
    private long reconciledGeneration = Long.MIN_VALUE;
    private boolean repairNeeded;

    IptablesExporter(IptablesConfig config, ExporterContext context) {
        this.config = config;
        this.context = context;
        this.metadata = context.metadata();
        this.names = new ChainNames(config.chainPrefix());
        this.runner = new CommandRunner(config.netns(), config.commands().nsenter(), config.lockWait().plus(Duration.ofSeconds(30)));
        this.counters = new PodCounters();
        this.throttled = new ThrottledLogger(LOG, context.clock(), Duration.ofMinutes(5));
        this.reconcileFailures = Counter.builder("netcost_iptables_reconcile_failures_total")
                .description("iptables reconciles that failed (the rules are retried next cycle)").register(context.meters());
        this.repairs = Counter.builder("netcost_iptables_repairs_total")
                .description("times netcost's jump or counting rules were found removed by someone else and restored")
                .register(context.meters());
    }

    @Override
    public String name() {
        return "iptables";
    }

    @Override
    public void start() throws Exception {
        IptablesFamily family;
        try {
            family = switch (config.backend()) {
                case LEGACY -> IptablesFamily.LEGACY;
                case NFT -> IptablesFamily.NFT;
                case AUTO, SAVE -> new BackendDetector(runner, config.commands(), names).detect();
            };
        } catch (CommandRunner.NotFoundException e) {
            throw new SourceUnavailableException(e.getMessage());
        }
        if (config.backend() != IptablesBackend.SAVE) {
            nativeThread = openNativeThread();
        }
        if (family == IptablesFamily.NFT && nativeThread != null) {
            tables = openNft();
        }
        if (tables == null) {
            tables = new IptablesTables(config, runner, names, family, nativeThread);
        }
        LOG.info("iptables exporter: {}{}", tables.description(),
                config.netns() == null ? "" : ", in network namespace " + config.netns());
    }

    /** The thread native readers run on (in {@code iptables.netns} when set), or null when it cannot start. */
    private NetnsThread openNativeThread() throws InterruptedException {
        try {
            return new NetnsThread(config.netns());
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("native counter readers unavailable, reading counters with iptables-*-save -c instead: {}"
                    + " (possible fixes: run as root or with CAP_NET_ADMIN, CAP_NET_RAW and, for iptables.netns, CAP_SYS_ADMIN)",
                    String.valueOf(e));
            return null;
        }
    }

    /**
     * The {@code nft} backend, or null (with a warning) when nft or its netlink reader does not work
     * here: then the rules go into iptables-nft and are read with {@code iptables-nft-save -c}. Chains
     * an earlier netcost version left in iptables-nft's mangle tables are removed first.
     */
    private CounterTables openNft() throws InterruptedException {
        NftTables nft;
        try {
            nft = NftTables.open(runner, config.commands().nft(), nativeThread, names, config.ipv6());
        } catch (IOException e) {
            LOG.warn("the nft backend is unavailable, keeping counting rules in iptables-nft and reading them with {} -c"
                            + " instead: {} (possible fixes: install nftables (the nft program, or set iptables.commands.nft);"
                            + " run as root or with CAP_NET_ADMIN)",
                    config.commands().nftSave(), e.getMessage());
            return null;
        }
        removeIptablesNftLeftovers();
        return nft;
    }

    private void removeIptablesNftLeftovers() throws InterruptedException {
        List<IptablesConfig.Commands> families = config.ipv6()
                ? List.of(config.commands(), config.commands().ipv6()) : List.of(config.commands());
        for (IptablesConfig.Commands c : families) {
            IptablesReconciler old = new IptablesReconciler(runner, IptablesFamily.NFT, c, names, config.lockWait());
            try {
                String removed = old.cleanup();
                if (!removed.isEmpty()) {
                    LOG.info("removed netcost's chains {}* left in the iptables-nft mangle table by an earlier version ({})",
                            names.main(), c.restore(IptablesFamily.NFT));
                }
            } catch (IOException e) {
                LOG.debug("no iptables-nft chains of an earlier version removed: {}", e.getMessage());
            }
        }
    }

    @Override
    public void collect(SampleConsumer out) throws Exception {
        if (metadata.hasSynced() && (metadata.generation() != reconciledGeneration || repairNeeded)) {
            reconcile();
        }
        counters.begin(metadata);
        String damage = tables.read(counters);
        counters.emit(out);
        if (damage != null) {
            throttled.warn("external-change", "netcost's counting rules were changed by someone else ({}): restoring them"
                    + " (possible fixes: if this repeats, look for a tool that rewrites the mangle table without --noflush"
                    + " or flushes the whole nftables ruleset)", damage);
            repairs.increment();
            repairNeeded = true;
            reconcile();
        }
    }

    /** Brings the rules to the metadata's current pods and sets; failures are logged, counted and retried. */
    private void reconcile() throws InterruptedException {
        long generation = metadata.generation();
        try {
            LoadBalancerIndex lbs = LoadBalancerIndex.build(metadata.loadBalancers(), metadata.nodeZone());
            for (String s : tables.reconcile(metadata.localPods(), metadata.classificationSets(), lbs)) {
                throttled.warn("skipped-" + s, "pod {} gets no counters", s);
            }
            reconciledGeneration = generation;
            repairNeeded = false;
        } catch (IOException e) {
            reconcileFailures.increment();
            repairNeeded = true;
            throttled.warn("reconcile", "cannot update netcost's counting rules, counters may be missing for new pods:"
                    + " {} (possible fixes: run as root / with CAP_NET_ADMIN; check iptables.backend and iptables.commands)",
                    e.getMessage());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            // Asked only when needed: the uninstall check is two API calls.
            String reason = tables == null ? null
                    : config.cleanupOnExit() ? "iptables.cleanupOnExit"
                    : config.cleanupOnUninstall() && metadata.agentRemovedFromNode()
                            ? "iptables.cleanupOnUninstall: the DaemonSet is being deleted" : null;
            if (reason != null) {
                tables.cleanup();
                LOG.info("removed netcost's counting rules ({}): {}", reason, tables.description());
            }
        } finally {
            if (tables != null) {
                tables.close();
            }
            if (nativeThread != null) {
                nativeThread.close();
            }
        }
    }

    // VisibleForTesting
    CounterTables tables() {
        return tables;
    }

    // VisibleForTesting: the iptables side (legacy / save backends)
    CounterReader reader() {
        return iptables().reader();
    }

    // VisibleForTesting
    IptablesReconciler reconciler() {
        return iptables().reconciler();
    }

    // VisibleForTesting
    CounterReader reader6() {
        return iptables().reader6();
    }

    // VisibleForTesting
    IptablesReconciler reconciler6() {
        return iptables().reconciler6();
    }

    private IptablesTables iptables() {
        if (tables instanceof IptablesTables t) {
            return t;
        }
        throw new IllegalStateException("the " + tables.description() + " backend is not iptables");
    }
}
