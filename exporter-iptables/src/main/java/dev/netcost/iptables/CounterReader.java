package dev.netcost.iptables;

/** Reads netcost's counters (counting rules or nft counter objects) into a sink. One read at a time; not thread-safe. */
interface CounterReader extends AutoCloseable {
    /** {@code save}, {@code sockopt}, {@code sockopt6}, {@code netlink} or {@code nft-list}: how counters are read, for logs. */
    String name();

    ReadStatus read(CounterSink sink) throws Exception;

    @Override
    default void close() {
    }
}
