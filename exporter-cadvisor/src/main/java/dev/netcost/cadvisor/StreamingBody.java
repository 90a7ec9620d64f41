package dev.netcost.cadvisor;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A response body read by the caller's thread as it arrives, one buffer list at a time: the HTTP
 * client is asked for the next list only once the previous one has been read, so at most one is held
 * whatever the body's size. Every read waits at most until a deadline; one that passes it gives up
 * the exchange. Like {@link HttpResponse.BodySubscribers#ofInputStream()}, with a deadline.
 */
final class StreamingBody implements HttpResponse.BodySubscriber<StreamingBody> {
    private static final Object END = new Object();

    /** The one outstanding signal: a buffer list, END or a Throwable (plus a terminal one after a list). */
    private final BlockingQueue<Object> signals = new ArrayBlockingQueue<>(2);
    private final long deadlineNanos;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;
    private Iterator<ByteBuffer> items = Collections.emptyIterator();
    private ByteBuffer current;
    private boolean requestNext;
    private boolean ended;

    /** @param deadlineNanos the {@link System#nanoTime()} by which the whole body must have been read */
    StreamingBody(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public CompletionStage<StreamingBody> getBody() {
        return CompletableFuture.completedFuture(this); // readable as soon as the headers are in
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        signals.offer(item);
    }

    @Override
    public void onError(Throwable t) {
        signals.offer(t);
    }

    @Override
    public void onComplete() {
        signals.offer(END);
    }

    /**
     * Reads up to {@code len} bytes into {@code b[off..]}; -1 at the end of the body.
     *
     * @throws HttpTimeoutException when the deadline passes first (the exchange is then cancelled)
     */
    int read(byte[] b, int off, int len) throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (items.hasNext()) {
                current = items.next();
                continue;
            }
            if (ended) {
                return -1;
            }
            if (requestNext) {
                requestNext = false;
                subscription.request(1);
            }
            Object signal = await();
            if (signal == END) {
                ended = true;
                return -1;
            }
            if (signal instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) signal;
            items = list.iterator();
            requestNext = true;
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    private Object await() throws IOException {
        try {
            Object signal = signals.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (signal == null) {
                cancel();
                throw new HttpTimeoutException("body not read within the deadline");
            }
            return signal;
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the body");
        }
    }

    /** Gives up the body: the client stops reading and closes the connection. Idempotent. */
    void cancel() {
        cancelled = true;
        ended = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
