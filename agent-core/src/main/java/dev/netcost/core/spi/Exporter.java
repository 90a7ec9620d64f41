package dev.netcost.core.spi;

/**
 * One source of samples. The pipeline calls {@link #collect} once per cycle, on a worker thread,
 * with a timeout; it times the call and records its success, so an exporter never does that itself.
 *
 * <p>An exporter throws from {@code collect} when its source failed; a source that is simply absent
 * (no kubelet, no table) should throw {@link SourceUnavailableException}, which is logged once and
 * reported as {@code success=0} without a stack trace.
 */
public interface Exporter extends AutoCloseable {
    /** Short, stable name used as the {@code exporter} label: {@code cadvisor}, {@code iptables}. */
    String name();

    /** Called once before the first cycle. */
    default void start() throws Exception {
    }

    /** Emits this cycle's samples. Must return promptly when interrupted. */
    void collect(SampleConsumer out) throws Exception;

    /** Releases what {@link #start} acquired. */
    @Override
    default void close() throws Exception {
    }
}
