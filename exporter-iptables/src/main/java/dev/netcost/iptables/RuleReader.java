package dev.netcost.iptables;

// TODO(integrator): the old reader interface (on RuleSink), kept only so the iptables readers compile on
// branch wt-nft; the other helper's readers implement CounterReader on the new CounterSink. Delete this file then.
/** Reads the counters of netcost's pod chains. One read at a time; not thread-safe. */
interface RuleReader extends AutoCloseable {
    /** {@code save} or {@code sockopt}: how counters are read, for logs. */
    String name();

    ReadStatus read(RuleSink sink) throws Exception;

    @Override
    default void close() {
    }
}
