package dev.netcost.webhook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request as {@link RequestIntakeHandler} hands it on: its head and whole body with the bytes it
 * holds of the body budget, or the answer it gets without its body being read ({@link #refusal}).
 * Whoever consumes it closes it, on any thread, once the body has been read.
 */
final class ReceivedRequest implements AutoCloseable {
    final HttpRequest head;
    final ByteBuf body;
    /** 0, or the status to answer at once (and close the connection): 413, 503. */
    final int refusal;
    final String refusalMessage;
    private final ClientLimits.Lease lease;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ReceivedRequest(HttpRequest head, ByteBuf body, ClientLimits.Lease lease, int refusal, String message) {
        this.head = head;
        this.body = body;
        this.lease = lease;
        this.refusal = refusal;
        this.refusalMessage = message;
    }

    static ReceivedRequest complete(HttpRequest head, ByteBuf body, ClientLimits.Lease lease) {
        return new ReceivedRequest(head, body, lease, 0, null);
    }

    static ReceivedRequest refused(HttpRequest head, int status, String message) {
        return new ReceivedRequest(head, Unpooled.EMPTY_BUFFER, null, status, message);
    }

    /** Releases the body and gives its bytes back to the budget; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            body.release();
            if (lease != null) {
                lease.close();
            }
        }
    }
}
