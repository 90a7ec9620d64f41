package dev.netcost.webhook;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What the webhook server's clients may make it hold at once: open connections
 * ({@code webhook.maxConnections}) and request-body bytes ({@code webhook.maxInFlightBodyBytes}).
 *
 * <p>When a new connection, or a body of an ordinary review's size (up to {@link #EVICTING_BODY_BYTES}),
 * does not fit, room is made by closing the client that has kept the server waiting longest: a
 * half-sent head, a slow upload, an idle keep-alive connection. The API server sends a review whole
 * within milliseconds, so it is never the one waiting longest for long, while slow or stalled clients
 * cannot crowd it out by holding what they took. A larger body that does not fit is refused instead:
 * were it to close others, every large upload would be read in full only to be closed by the next. A
 * client whose request the server is answering is never closed; when nothing can be closed, the new
 * connection or body is refused.
 *
 * <p>Bounded by construction: a closed client's bytes still count until its connection has released
 * them, and everything held never exceeds twice the budget. Thread-safe, no Netty types.
 */
final class ClientLimits {
    /** One connection, as the limits see it. */
    interface Client {
        /**
         * {@link System#nanoTime()} since when the server waits on this client (for a head, a body or a
         * next request), or {@link Long#MAX_VALUE} while the server is answering it.
         */
        long waitingSince();

        /** Closes the connection soon, never inline; the client then closes its leases and calls {@link #closed}. */
        void evict(String limit);
    }

    /** Bodies up to this size may close slower uploads to fit; an ordinary review is a few KiB. */
    static final long EVICTING_BODY_BYTES = 256 * 1024;
    static final String CONNECTIONS = "connections";
    static final String BODY_BYTES = "body_bytes";

    private final int maxConnections;
    private final long maxBytes;
    // guarded by this
    private final Map<Client, State> clients = new IdentityHashMap<>();
    private long bytes;
    private long evictedBytes;
    private int evictedConnections;

    ClientLimits(int maxConnections, long maxBytes) {
        if (maxConnections < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxConnections = maxConnections;
        this.maxBytes = maxBytes;
    }

    /** Registers a new connection; false when it must be closed at once (nothing could make room). */
    synchronized boolean open(Client c) {
        while (clients.size() - evictedConnections >= maxConnections) {
            if (clients.size() >= 2 * maxConnections || !evictLongestWaiting(null, false)) {
                return false;
            }
        }
        clients.put(c, new State());
        return true;
    }

    /** The connection ended; its leases must be closed by then or later, never reused. */
    synchronized void closed(Client c) {
        State s = clients.remove(c);
        if (s != null && s.evicted) {
            evictedConnections--;
        }
    }

    /**
     * Takes {@code n} bytes for a body {@code c} is about to send, closing the slowest uploads of other
     * clients when they do not fit; null when they cannot be made to fit, or {@code c} is being closed.
     */
    synchronized Lease reserve(Client c, long n) {
        State s = clients.get(c);
        // An evicted client is about to be closed: its body would only make room by closing another.
        if (s == null || s.evicted || n > 0 && !fit(c, n)) {
            return null;
        }
        Lease l = new Lease(s);
        l.take(n);
        return l;
    }

    synchronized int connections() {
        return clients.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    // guarded by this
    private boolean fit(Client c, long n) {
        while (bytes - evictedBytes + n > maxBytes) {
            if (n > EVICTING_BODY_BYTES || !evictLongestWaiting(c, true)) {
                return false;
            }
        }
        return bytes + n <= 2 * maxBytes;
    }

    /** Evicts the client waiting longest (only uploading ones, for bytes), other than {@code except}. */
    // guarded by this
    private boolean evictLongestWaiting(Client except, boolean forBytes) {
        Client victim = null;
        State victimState = null;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Client, State> e : clients.entrySet()) {
            State s = e.getValue();
            if (s.evicted || e.getKey() == except || (forBytes && s.uploading == 0)) {
                continue;
            }
            long since = e.getKey().waitingSince();
            if (since != Long.MAX_VALUE && (victim == null || since - oldest < 0)) {
                victim = e.getKey();
                victimState = s;
                oldest = since;
            }
        }
        if (victim == null) {
            return false;
        }
        victimState.evicted = true;
        evictedConnections++;
        evictedBytes += victimState.uploading;
        victim.evict(forBytes ? BODY_BYTES : CONNECTIONS);
        return true;
    }

    private static final class State {
        boolean evicted;
        /** Bytes of this client's bodies still being received: what closing it frees. */
        long uploading;
    }

    /**
     * Bytes held for one body: owned by its connection while the body arrives, then by whoever decodes
     * it ({@link #detach}), until {@link #close}.
     */
    final class Lease implements AutoCloseable {
        private State owner;
        private long n;
        private boolean closed;

        private Lease(State owner) {
            this.owner = owner;
        }

        // guarded by ClientLimits.this
        private void take(long more) {
            bytes += more;
            n += more;
            owner.uploading += more;
            if (owner.evicted) {
                evictedBytes += more;
            }
        }

        /** Takes {@code more} bytes for a body whose length was not known up front; false when they do not fit. */
        boolean grow(Client c, long more) {
            synchronized (ClientLimits.this) {
                if (closed || owner == null || owner.evicted || !fit(c, more)) {
                    return false;
                }
                take(more);
                return true;
            }
        }

        /** The body is complete: its bytes stay taken, but closing its connection no longer frees them. */
        void detach() {
            synchronized (ClientLimits.this) {
                if (owner != null) {
                    owner.uploading -= n;
                    if (owner.evicted) {
                        evictedBytes -= n;
                    }
                    owner = null;
                }
            }
        }

        long bytes() {
            synchronized (ClientLimits.this) {
                return n;
            }
        }

        /** Gives the bytes back; idempotent. */
        @Override
        public void close() {
            synchronized (ClientLimits.this) {
                if (closed) {
                    return;
                }
                closed = true;
                detach();
                bytes -= n;
            }
        }
    }
}
