package dev.netcost.core.pipeline;

import dev.netcost.core.model.Sample;
import java.time.Duration;
import java.util.List;

/** Consumes each cycle's samples: a remote-write endpoint, the local file, the debug page. */
public interface Sink extends AutoCloseable {
    String name();

    /** Accepts one cycle's samples. Never blocks on the network: a slow sink queues or drops and counts. */
    void write(List<Sample> samples);

    /**
     * Waits until everything accepted so far has been delivered or given up on.
     *
     * @return true when every accepted sample was delivered
     */
    boolean flush(Duration timeout) throws InterruptedException;

    /** Stops the sink; call {@link #flush} first to deliver what is queued. */
    @Override
    void close();
}
