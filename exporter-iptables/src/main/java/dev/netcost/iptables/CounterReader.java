package dev.netcost.iptables;

/** Reads the counters of netcost's pod chains. One read at a time; not thread-safe. */
interface CounterReader extends AutoCloseable {
    /** {@code save}, {@code sockopt} or {@code sockopt6}: how counters are read, for logs. */
    String name();

    ReadStatus read(CounterSink sink) throws Exception;

    @Override
    default void close() {
    }
}
