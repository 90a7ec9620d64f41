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
    private CounterReader reader;
    private long reconciledGeneration = Long.MIN_VALUE;
    private int expectedPodChains = -1;
    private boolean repairNeeded;

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
        reconciler = new IptablesReconciler(runner, family, config.commands(), names, config.lockWait());
        reader = createReader(family);
        LOG.info("iptables exporter: {} backend, counters read via {}, chains {}*{}", family.label(), reader.name(),
                names.main(), config.netns() == null ? "" : " in network namespace " + config.netns());
    }

    private CounterReader createReader(IptablesFamily family) {
        CounterReader save = new SaveCounterReader(runner, config.commands().save(family), names);
        if (config.backend() == IptablesBackend.SAVE) {
            return save;
        }
        CounterReader nativeReader = null;
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

    @Override
    public void collect(SampleConsumer out) throws Exception {
        if (metadata.hasSynced() && (metadata.generation() != reconciledGeneration || repairNeeded)) {
            reconcile();
        }
        counters.begin();
        ReadStatus status = reader.read(counters);
        counters.emit(metadata, out);
        if (expectedPodChains >= 0 && (status.jumps() != 1 || status.podChains() != expectedPodChains)) {
            throttled.warn("external-change", "netcost's iptables rules were changed by someone else ({} jumps from"
                            + " mangle POSTROUTING to {}, {} of {} pod chains present): restoring them (possible fixes: if"
                            + " this repeats, look for a tool that rewrites the mangle table without --noflush)",
                    status.jumps(), names.main(), status.podChains(), expectedPodChains);
            repairs.increment();
            repairNeeded = true;
            reconcile();
        }
    }

    /** Brings the rules to the metadata's current pods and sets; failures are logged, counted and retried. */
    private void reconcile() throws InterruptedException {
        long generation = metadata.generation();
        AccountingRules wanted = AccountingRules.build(names, metadata.localPods(), metadata.classificationSets());
        try {
            String applied = reconciler.reconcile(wanted);
            if (!applied.isEmpty()) {
                LOG.debug("iptables rules reconciled: {} pod chains ({} bytes of restore input)",
                        wanted.podChains().size(), applied.length());
            }
            for (String s : wanted.skipped()) {
                throttled.warn("skipped-" + s, "pod {} gets no iptables counters", s);
            }
            reconciledGeneration = generation;
            expectedPodChains = wanted.podChains().size();
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
                LOG.info("removed netcost's iptables chains {}* and their jump (iptables.cleanupOnExit)", names.main());
            }
        } finally {
            if (reader != null) {
                reader.close();
            }
            if (nativeThread != null) {
                nativeThread.close();
            }
        }
    }

    // VisibleForTesting
    CounterReader reader() {
        return reader;
    }

    // VisibleForTesting
    IptablesReconciler reconciler() {
        return reconciler;
    }
}
