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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-pod bytes and packets by direction and class, from counting rules netcost owns in the mangle
 * table. Each cycle: reconcile the rules when the metadata changed (or something removed them), read
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

    private IptablesReconciler reconciler;
    private NetnsThread nativeThread;
    private RuleReader reader;
    private long reconciledGeneration = Long.MIN_VALUE;
    private int expectedPodChains = -1;
    private boolean repairNeeded;
    // The IPv6 side (ip6tables mangle, counters read with ip6tables-*-save -c); null when off or unavailable.
    private IptablesReconciler reconciler6;
    private RuleReader reader6;
    private int expectedPodChains6 = -1;

    IptablesExporter(IptablesConfig config, ExporterContext context) {
        this.config = config;
        this.context = context;
        this.metadata = context.metadata();
        this.names = new ChainNames(config.chainPrefix());
        this.runner = new CommandRunner(config.netns(), config.commands().nsenter(), config.lockWait().plus(Duration.ofSeconds(30)));
        this.counters = new PodCounters(names);
        this.throttled = new ThrottledLogger(LOG, context.clock(), Duration.ofMinutes(5));
        this.reconcileFailures = Counter.builder("netcost_iptables_reconcile_failures_total")
                .description("iptables reconciles that failed (the rules are retried next cycle)").register(context.meters());
        this.repairs = Counter.builder("netcost_iptables_repairs_total")
                .description("times netcost's jump or chains were found removed by someone else and restored")
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
        reconciler = new IptablesReconciler(runner, family, config.commands(), names, config.lockWait(),
                new IpsetReconciler(runner, IptablesConfig.IPSET, names, false));
        reader = createReader(family);
        LOG.info("iptables exporter: {} backend, counters read via {}, chains {}*{}", family.label(), reader.name(),
                names.main(), config.netns() == null ? "" : " in network namespace " + config.netns());
        if (config.ipv6()) {
            startIpv6(family);
        }
    }

    /**
     * Turns the IPv6 side on when the family's ip6tables-save runs (the kernel has ip6tables' mangle
     * table); its rules exist only while some local pod has an IPv6 address.
     */
    private void startIpv6(IptablesFamily family) throws InterruptedException {
        IptablesConfig.Commands c6 = config.commands().ipv6();
        IptablesReconciler r6 = new IptablesReconciler(runner, family, c6, names, config.lockWait(),
                new IpsetReconciler(runner, IptablesConfig.IPSET, names, true));
        try {
            r6.snapshot();
        } catch (IOException e) {
            LOG.info("IPv6 pod addresses not counted: {} does not work here ({}); set iptables.ipv6: false to silence this",
                    c6.save(family), e.getMessage());
            return;
        }
        reconciler6 = r6;
        reader6 = createReader6(family, c6);
        LOG.info("iptables exporter: IPv6 pod addresses counted in the {} ip6tables mangle table, read via {}",
                family.label(), reader6.name());
    }

    private RuleReader createReader(IptablesFamily family) {
        RuleReader save = new SaveCounterReader(runner, config.commands().save(family), names);
        if (config.backend() == IptablesBackend.SAVE) {
            return save;
        }
        RuleReader nativeReader = null;
        try {
            nativeThread = new NetnsThread(config.netns());
            nativeReader = NativeReaders.create(family, nativeThread, names);
            nativeReader.read((chain, comment, packets, bytes) -> { });
            return nativeReader;
        } catch (Exception | LinkageError e) {
            LOG.warn("native {} counter reader unavailable, reading counters with {} -c instead: {}"
                            + " (possible fixes: run as root or with CAP_NET_ADMIN and CAP_NET_RAW)",
                    family.label(), config.commands().save(family), String.valueOf(e));
            if (nativeReader != null) {
                nativeReader.close();
            }
            if (nativeThread != null) {
                nativeThread.close();
                nativeThread = null;
            }
            return save;
        }
    }

    /**
     * The IPv6 reader: one netlink dump of {@code ip6 mangle} for nft when the IPv4 side reads natively;
     * {@code ip6tables-*-save -c} otherwise (the legacy IP6T_SO_GET_ENTRIES reader is not written).
     */
    private RuleReader createReader6(IptablesFamily family, IptablesConfig.Commands c6) {
        RuleReader save = new SaveCounterReader(runner, c6.save(family), names);
        // TODO(integrator): the ip6 mangle netlink reader is gone on branch wt-nft (NftCounterReader reads the inet table).
        return save;
    }

    @Override
    public void collect(SampleConsumer out) throws Exception {
        if (metadata.hasSynced() && (metadata.generation() != reconciledGeneration || repairNeeded)) {
            reconcile();
        }
        counters.begin();
        ReadStatus status = reader.read(counters);
        // With no IPv6 pod there are no IPv6 rules to read (nor to watch): no ip6tables-save run.
        ReadStatus status6 = reader6 == null || expectedPodChains6 <= 0 ? null : reader6.read(counters);
        counters.emit(metadata, out);
        boolean changed4 = expectedPodChains >= 0 && (status.hooks() != 1 || status.counters() != expectedPodChains);
        boolean changed6 = status6 != null
                && (status6.hooks() != 1 || status6.counters() != expectedPodChains6);
        if (changed4 || changed6) {
            ReadStatus s = changed4 ? status : status6;
            throttled.warn("external-change", "netcost's {} rules were changed by someone else ({} jumps from"
                            + " mangle POSTROUTING to {}, {} of {} pod chains present): restoring them (possible fixes: if"
                            + " this repeats, look for a tool that rewrites the mangle table without --noflush)",
                    changed4 ? "iptables" : "ip6tables", s.hooks(), names.main(), s.counters(),
                    changed4 ? expectedPodChains : expectedPodChains6);
            repairs.increment();
            repairNeeded = true;
            reconcile();
        }
    }

    /** Brings the rules to the metadata's current pods and sets; failures are logged, counted and retried. */
    private void reconcile() throws InterruptedException {
        long generation = metadata.generation();
        AccountingRules wanted = AccountingRules.build(names, metadata.localPods(), metadata.classificationSets(), false,
                config.setThreshold());
        try {
            String applied = reconciler.reconcile(wanted);
            if (!applied.isEmpty()) {
                LOG.debug("iptables rules reconciled: {} pod chains ({} bytes of restore input)",
                        wanted.podChains().size(), applied.length());
            }
            for (String s : wanted.skipped()) {
                throttled.warn("skipped-" + s, "pod {} gets no iptables counters", s);
            }
            expectedPodChains = wanted.podChains().size();
            if (reconciler6 != null) {
                expectedPodChains6 = -1;
                AccountingRules wanted6 = AccountingRules.build(names, metadata.localPods(), metadata.classificationSets(), true,
                        config.setThreshold());
                // No IPv6 pod, no IPv6 rules: not even the jump.
                String applied6 = wanted6.podChains().isEmpty() ? reconciler6.cleanup() : reconciler6.reconcile(wanted6);
                if (!applied6.isEmpty()) {
                    LOG.debug("ip6tables rules reconciled: {} pod chains ({} bytes of restore input)",
                            wanted6.podChains().size(), applied6.length());
                }
                for (String s : wanted6.skipped()) {
                    throttled.warn("skipped-" + s, "pod {} gets no ip6tables counters", s);
                }
                expectedPodChains6 = wanted6.podChains().size();
            }
            reconciledGeneration = generation;
            repairNeeded = false;
        } catch (IOException e) {
            reconcileFailures.increment();
            repairNeeded = true;
            throttled.warn("reconcile", "cannot update netcost's iptables rules, counters may be missing for new pods:"
                    + " {} (possible fixes: run as root / with CAP_NET_ADMIN; check iptables.backend and iptables.commands)",
                    e.getMessage());
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (config.cleanupOnExit() && reconciler != null) {
                reconciler.cleanup();
                if (reconciler6 != null) {
                    reconciler6.cleanup();
                }
                LOG.info("removed netcost's iptables chains {}* and their jump (iptables.cleanupOnExit)", names.main());
            }
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (reader6 != null) {
                reader6.close();
            }
            if (nativeThread != null) {
                nativeThread.close();
            }
        }
    }

    // VisibleForTesting
    RuleReader reader() {
        return reader;
    }

    // VisibleForTesting
    IptablesReconciler reconciler() {
        return reconciler;
    }

    // VisibleForTesting
    RuleReader reader6() {
        return reader6;
    }

    // VisibleForTesting
    IptablesReconciler reconciler6() {
        return reconciler6;
    }
}
