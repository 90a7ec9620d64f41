package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code legacy} and {@code save} backends: counting rules in the mangle table of one iptables
 * family ({@link AccountingRules}, kept by {@link IptablesReconciler}), and the same in the ip6tables
 * mangle table for pods' IPv6 addresses. Counters are read natively ({@link NativeReaders}) unless
 * {@code backend: save} or the native reader cannot start, then with {@code *-save -c}.
 */
final class IptablesTables implements CounterTables {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesTables.class);

    private final IptablesConfig config;
    private final CommandRunner runner;
    private final ChainNames names;
    private final NetnsThread nativeThread;
    private final IptablesReconciler reconciler;
    private final CounterReader reader;
    private int expectedCounters = -1;
    // The IPv6 side (ip6tables mangle); null when off or unavailable.
    private IptablesReconciler reconciler6;
    private CounterReader reader6;
    private int expectedCounters6 = -1;

    /**
     * @param nativeThread where native readers open their sockets, or null to read with {@code *-save -c} only
     */
    IptablesTables(IptablesConfig config, CommandRunner runner, ChainNames names, IptablesFamily family,
                   NetnsThread nativeThread) throws InterruptedException {
        this.config = config;
        this.runner = runner;
        this.names = names;
        this.nativeThread = nativeThread;
        this.reconciler = new IptablesReconciler(runner, family, config.commands(), names, config.lockWait(),
                new IpsetReconciler(runner, IptablesConfig.IPSET, names, false));
        this.reader = createReader(family, false, config.commands());
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
        reader6 = createReader(family, true, c6);
    }

    /** The reader of one table: native when there is a thread for it and it starts; {@code *-save -c} otherwise. */
    private CounterReader createReader(IptablesFamily family, boolean ipv6, IptablesConfig.Commands commands) {
        CounterReader save = new SaveCounterReader(runner, commands.save(family), names);
        if (nativeThread == null) {
            return save;
        }
        CounterReader nativeReader = null;
        try {
            nativeReader = NativeReaders.create(family, nativeThread, names, ipv6);
            if (nativeReader == null) {
                return save;
            }
            nativeReader.read(CounterSinks.NONE);
            return nativeReader;
        } catch (Exception | LinkageError e) {
            LOG.warn("native {} {} counter reader unavailable, reading counters with {} -c instead: {}"
                            + " (possible fixes: run as root or with CAP_NET_ADMIN and CAP_NET_RAW)",
                    family.label(), ipv6 ? "IPv6" : "IPv4", commands.save(family), String.valueOf(e));
            if (nativeReader != null) {
                nativeReader.close();
            }
            return save;
        }
    }

    @Override
    public String description() {
        return "iptables-" + reconciler.family().label() + " mangle table, chains " + names.main() + "*, counters read via "
                + reader.name() + (reader6 == null ? "" : " (IPv6: ip6tables mangle table, read via " + reader6.name() + ")");
    }

    @Override
    public List<String> reconcile(List<PodInfo> pods, ClassificationSets sets, LoadBalancerIndex loadBalancers)
            throws IOException, InterruptedException {
        expectedCounters = -1;
        AccountingRules wanted = AccountingRules.build(names, pods, sets, loadBalancers, false, config.setThreshold());
        String applied = reconciler.reconcile(wanted);
        if (!applied.isEmpty()) {
            LOG.debug("iptables rules reconciled: {} counting rules ({} bytes of restore input)",
                    wanted.countingRules(), applied.length());
        }
        expectedCounters = wanted.countingRules();
        List<String> skipped = new ArrayList<>(wanted.skipped());
        if (reconciler6 != null) {
            expectedCounters6 = -1;
            AccountingRules wanted6 = AccountingRules.build(names, pods, sets, loadBalancers, true, config.setThreshold());
            // No IPv6 pod, no IPv6 rules: not even the jump.
            String applied6 = wanted6.owners().isEmpty() ? reconciler6.cleanup() : reconciler6.reconcile(wanted6);
            if (!applied6.isEmpty()) {
                LOG.debug("ip6tables rules reconciled: {} counting rules ({} bytes of restore input)",
                        wanted6.countingRules(), applied6.length());
            }
            skipped.addAll(wanted6.skipped());
            expectedCounters6 = wanted6.countingRules();
        }
        return skipped;
    }

    @Override
    public String read(CounterSink sink) throws Exception {
        ReadStatus status = reader.read(sink);
        // With no IPv6 pod there are no IPv6 rules to read (nor to watch): no read of the ip6tables table.
        ReadStatus status6 = reader6 == null || expectedCounters6 <= 0 ? null : reader6.read(sink);
        if (expectedCounters >= 0 && (status.hooks() != 1 || status.counters() != expectedCounters)) {
            return damage("iptables", status, expectedCounters);
        }
        if (status6 != null && (status6.hooks() != 1 || status6.counters() != expectedCounters6)) {
            return damage("ip6tables", status6, expectedCounters6);
        }
        return null;
    }

    private String damage(String program, ReadStatus s, int expected) {
        return program + ": " + s.hooks() + " jumps from mangle POSTROUTING to " + names.main() + ", " + s.counters() + " of "
                + expected + " counting rules present";
    }

    @Override
    public void cleanup() throws IOException, InterruptedException {
        reconciler.cleanup();
        if (reconciler6 != null) {
            reconciler6.cleanup();
        }
    }

    @Override
    public void close() {
        reader.close();
        if (reader6 != null) {
            reader6.close();
        }
    }

    IptablesReconciler reconciler() {
        return reconciler;
    }

    CounterReader reader() {
        return reader;
    }

    IptablesReconciler reconciler6() {
        return reconciler6;
    }

    CounterReader reader6() {
        return reader6;
    }
}
