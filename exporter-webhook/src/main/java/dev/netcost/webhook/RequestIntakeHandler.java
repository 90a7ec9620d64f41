package dev.netcost.webhook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * Reads each request of one connection within its deadlines and the server's {@link ClientLimits}, and
 * hands it on whole as a {@link ReceivedRequest}. One instance per connection, between the HTTP codec
 * and {@link WebhookRequestHandler}.
 *
 * <p>Phases, each with a deadline that no trickle of bytes extends:
 * <ul>
 *   <li>head: from the connection's start (so the TLS handshake counts) or from the first byte of a
 *       later request, until the head is decoded — {@code headerTimeout};</li>
 *   <li>body: from the end of the head until the last byte — {@code bodyTimeout}; the body's length
 *       is taken from the budget before it is read, into one buffer of that size;</li>
 *   <li>answering: no deadline, the server is working;</li>
 *   <li>idle: after the last answer, until the next request's first byte — {@code idleTimeout}.</li>
 * </ul>
 * A missed deadline closes the connection. A body over {@code maxBodyBytes} is answered 413 and one
 * that does not fit the budget 503, both without reading it.
 */
final class RequestIntakeHandler extends ChannelDuplexHandler implements ClientLimits.Client {
    enum Phase { HEAD, BODY, ANSWERING, IDLE }

    /** What a chunked body (length unknown up front) takes of the budget before it grows. */
    static final int CHUNKED_START = 8192;

    /** The deadlines of one connection. */
    record Deadlines(Duration head, Duration body, Duration idle) {
    }

    private final ClientLimits limits;
    private final Deadlines deadlines;
    private final int maxBodyBytes;
    private final ClientErrors errors;
    private ChannelHandlerContext ctx;
    private boolean registered;
    private Phase phase = Phase.HEAD;
    private volatile long waitingSince = System.nanoTime();
    private ScheduledFuture<?> deadline;
    private HttpRequest head;
    private ByteBuf body;
    private ClientLimits.Lease lease;
    /** After a refusal, the rest of that request's body is dropped as it comes. */
    private boolean discarding;
    private int answersOwed;
    /** Why this side closed the connection (a client error was counted then), or null. */
    private String closedBecause;
    /** The limit that chose this client while it waited, when a request arrived before the close ran. */
    private String evictedFor;

    RequestIntakeHandler(ClientLimits limits, Deadlines deadlines, int maxBodyBytes, ClientErrors errors) {
        this.limits = limits;
        this.deadlines = deadlines;
        this.maxBodyBytes = maxBodyBytes;
        this.errors = errors;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (!limits.open(this)) {
            closedBecause = ClientLimits.CONNECTIONS;
            errors.shed(ClientLimits.CONNECTIONS, ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        registered = true;
        enter(Phase.HEAD, deadlines.head());
        super.channelActive(ctx);
    }

    @Override
    public long waitingSince() {
        return waitingSince;
    }

    @Override
    public void evict(String limit) {
        ctx.channel().eventLoop().execute(() -> {
            if (!ctx.channel().isActive() || closedBecause != null) {
                return;
            }
            if (phase == Phase.ANSWERING) {
                // Chosen on another thread while it waited; its request has arrived since: answer it first.
                evictedFor = limit;
            } else {
                shed(limit);
            }
        });
    }

    private void shed(String limit) {
        closedBecause = limit;
        errors.shed(limit, ctx.channel().remoteAddress());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Bytes arrived; on an idle connection they start the next request's head.
        if (phase == Phase.IDLE) {
            enter(Phase.HEAD, deadlines.head());
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closedBecause != null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest r) {
            startRequest(r);
        }
        if (msg instanceof HttpContent c) {
            content(c);
        } else if (!(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void startRequest(HttpRequest r) {
        discarding = false;
        if (r.decoderResult().isFailure()) {
            errors.record(ClientErrors.MALFORMED_REQUEST, ctx.channel().remoteAddress(),
                    String.valueOf(r.decoderResult().cause()));
            // The decoder drops whatever follows; the handler answers 400 and closes.
            handOn(ReceivedRequest.complete(r, Unpooled.EMPTY_BUFFER, null));
            discarding = true;
            return;
        }
        long length = HttpUtil.getContentLength(r, -1L);
        boolean chunked = length < 0 && HttpUtil.isTransferEncodingChunked(r);
        if (length > maxBodyBytes) {
            refuse(r, 413, "body of " + length + " bytes is over webhook.maxBodyBytes (" + maxBodyBytes + ")");
            return;
        }
        long size = chunked ? CHUNKED_START : Math.max(length, 0);
        ClientLimits.Lease l = limits.reserve(this, size);
        if (l == null) {
            errors.shed(ClientLimits.BODY_BYTES, ctx.channel().remoteAddress());
            refuse(r, 503, "overloaded: request bodies in flight are at webhook.maxInFlightBodyBytes, try again");
            return;
        }
        head = r;
        lease = l;
        // A plain array of the body's size, not from the connection's pool: it lives until the review is decoded.
        body = Unpooled.buffer((int) size, chunked ? maxBodyBytes : (int) size);
        if (HttpUtil.is100ContinueExpected(r)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        enter(Phase.BODY, deadlines.body());
    }

    private void content(HttpContent c) {
        try {
            boolean last = c instanceof LastHttpContent;
            if (discarding || head == null) {
                discarding = discarding && !last;
                return;
            }
            if (c.decoderResult().isFailure()) {
                errors.record(ClientErrors.MALFORMED_REQUEST, ctx.channel().remoteAddress(),
                        String.valueOf(c.decoderResult().cause()));
                HttpRequest r = head;
                dropBody();
                r.setDecoderResult(c.decoderResult());
                handOn(ReceivedRequest.complete(r, Unpooled.EMPTY_BUFFER, null));
                discarding = !last;
                return;
            }
            ByteBuf in = c.content();
            int n = in.readableBytes();
            if (n > 0) {
                if (body.readableBytes() + (long) n > maxBodyBytes) {
                    HttpRequest r = head;
                    dropBody();
                    refuse(r, 413, "body is over webhook.maxBodyBytes (" + maxBodyBytes + ")");
                    discarding = !last;
                    return;
                }
                if (body.writableBytes() < n) {
                    // A chunked body: grow the buffer, and what it holds of the budget, before copying.
                    int capacity = body.alloc().calculateNewCapacity(body.writerIndex() + n, maxBodyBytes);
                    if (!lease.grow(this, capacity - body.capacity())) {
                        HttpRequest r = head;
                        dropBody();
                        errors.shed(ClientLimits.BODY_BYTES, ctx.channel().remoteAddress());
                        refuse(r, 503, "overloaded: request bodies in flight are at webhook.maxInFlightBodyBytes,"
                                + " try again");
                        discarding = !last;
                        return;
                    }
                    body.capacity(capacity);
                }
                body.writeBytes(in);
            }
            if (last) {
                lease.detach();
                ReceivedRequest done = ReceivedRequest.complete(head, body, lease);
                head = null;
                body = null;
                lease = null;
                handOn(done);
            }
        } finally {
            c.release();
        }
    }

    /** Answers without reading the body: nothing more is read, the connection closes once the answer is out. */
    private void refuse(HttpRequest r, int status, String message) {
        ctx.channel().config().setAutoRead(false);
        handOn(ReceivedRequest.refused(r, status, message));
        discarding = true;
    }

    private void handOn(ReceivedRequest r) {
        answersOwed++;
        enter(Phase.ANSWERING, null);
        ctx.fireChannelRead(r);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse res && res.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> answered());
            ctx.write(msg, p);
        } else {
            ctx.write(msg, promise);
        }
    }

    private void answered() {
        if (--answersOwed == 0 && phase == Phase.ANSWERING && ctx.channel().isActive()) {
            if (evictedFor != null && closedBecause == null) {
                shed(evictedFor);
            } else {
                enter(Phase.IDLE, deadlines.idle());
            }
        }
    }

    private void enter(Phase next, Duration limit) {
        phase = next;
        waitingSince = next == Phase.ANSWERING ? Long.MAX_VALUE : System.nanoTime();
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (limit != null) {
            deadline = ctx.executor().schedule(() -> missed(next), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void missed(Phase p) {
        if (phase != p || closedBecause != null) {
            return;
        }
        switch (p) {
            case HEAD -> closeFor(ClientErrors.HEADER_TIMEOUT, "no complete request head within webhook.headerTimeout ("
                    + deadlines.head().toMillis() + " ms)");
            case BODY -> closeFor(ClientErrors.BODY_TIMEOUT, "body incomplete (" + body.readableBytes() + " bytes) after"
                    + " webhook.bodyTimeout (" + deadlines.body().toMillis() + " ms)");
            default -> {
                closedBecause = "idle";
                ctx.close();
            }
        }
    }

    private void closeFor(String reason, String detail) {
        closedBecause = reason;
        errors.record(reason, ctx.channel().remoteAddress(), detail);
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess() && closedBecause == null) {
            closeFor(ClientErrors.TLS, "TLS handshake failed: " + hs.cause());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closedBecause == null) {
            if (isTls(cause)) {
                closeFor(ClientErrors.TLS, String.valueOf(cause.getCause() == null ? cause : cause.getCause()));
            } else if (cause instanceof IOException) {
                closeFor(phase == Phase.BODY ? ClientErrors.DROPPED_MID_BODY : ClientErrors.CONNECTION_RESET,
                        cause.toString());
            } else {
                closedBecause = "unexpected";
                errors.unexpected(ctx.channel().remoteAddress(), cause);
            }
        }
        ctx.close();
    }

    private static boolean isTls(Throwable t) {
        return t instanceof SSLException || t instanceof NotSslRecordException
                || t instanceof DecoderException && t.getCause() instanceof SSLException;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (closedBecause == null && phase == Phase.BODY) {
            errors.record(ClientErrors.DROPPED_MID_BODY, ctx.channel().remoteAddress(), "connection closed after "
                    + body.readableBytes() + " bytes of the body");
        }
        release();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    private void release() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        dropBody();
        if (registered) {
            registered = false;
            limits.closed(this);
        }
    }

    private void dropBody() {
        if (body != null) {
            body.release();
            body = null;
        }
        if (lease != null) {
            lease.close();
            lease = null;
        }
        head = null;
    }
}
