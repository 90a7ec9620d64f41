package dev.netcost.iptables;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.util.List;

/**
 * Where netcost keeps its counters, and how it keeps and reads them: counting rules in the iptables
 * mangle tables ({@link IptablesTables}) or named counters in netcost's own nf_tables table
 * ({@link NftTables}). One caller at a time; not thread-safe.
 */
interface CounterTables extends AutoCloseable {
    /** For the start-up log line, e.g. {@code "iptables-legacy, counters read via sockopt"}. */
    String description();

    /**
     * Brings the kernel's state to these pods, classification sets and load balancers.
     *
     * @return the pods left without counters, each with the reason, for a log line
     * @throws IOException when the change could not be applied (retried by the caller)
     */
    List<String> reconcile(List<PodInfo> pods, ClassificationSets sets, LoadBalancerIndex loadBalancers)
            throws IOException, InterruptedException;

    /**
     * Reads every counter into the sink.
     *
     * @return null when the kernel's state is as last reconciled, else what someone else changed
     *     (the caller then reconciles again)
     */
    String read(CounterSink sink) throws Exception;

    /** Removes everything netcost added. */
    void cleanup() throws IOException, InterruptedException;

    @Override
    void close();
}
