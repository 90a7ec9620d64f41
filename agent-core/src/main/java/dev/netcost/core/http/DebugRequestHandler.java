package dev.netcost.core.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one aggregated request: 400 when it could not be decoded, 405 for a method other than GET
 * or HEAD, otherwise the page {@link DebugPages} renders for its path.
 *
 * <p>Pages are rendered on {@code pagesExecutor}, never on the event loop: {@code /metrics} does real
 * work. Netty 4.2 deprecates running a handler on its own executor group, so the handler offloads
 * explicitly, and chains each connection's responses so that pipelined requests are answered in order.
 * One instance per connection.
 */
final class DebugRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(DebugRequestHandler.class);
    static final String ALLOWED_METHODS = "GET, HEAD";

    private final DebugPages pages;
    private final Executor pagesExecutor;
    // The last response of this connection; only read and replaced on the event loop.
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    DebugRequestHandler(DebugPages pages, Executor pagesExecutor) {
        this.pages = pages;
        this.pagesExecutor = pagesExecutor;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        // Everything the response needs is copied out here: the request is released when this returns.
        if (request.decoderResult().isFailure()) {
            // The decoder discards whatever follows a bad message, so the connection cannot be reused.
            Throwable cause = request.decoderResult().cause();
            log.debug("bad request from {}", ctx.channel().remoteAddress(), cause);
            respondInOrder(ctx, false, () -> response(HttpVersion.HTTP_1_1, false, false,
                    DebugResponse.text(400, "bad request: " + cause.getMessage())));
            return;
        }
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!head && !HttpMethod.GET.equals(request.method())) {
            respondInOrder(ctx, keepAlive, () -> {
                FullHttpResponse res = response(version, keepAlive, false,
                        DebugResponse.text(405, "method not allowed: use " + ALLOWED_METHODS));
                res.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
                return res;
            });
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean loopback = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
                && a.getAddress() != null && a.getAddress().isLoopbackAddress();
        respondInOrder(ctx, keepAlive, () -> response(version, keepAlive, head, pages.respond(path, loopback)));
    }

    /** Renders on the pages executor once this connection's previous response is written. */
    private void respondInOrder(ChannelHandlerContext ctx, boolean keepAlive, Supplier<FullHttpResponse> render) {
        previous = previous.handleAsync((ignored, earlierFailure) -> {
            try {
                ChannelFuture f = ctx.writeAndFlush(render.get());
                if (!keepAlive) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
            } catch (RuntimeException e) {
                log.warn("BUG: debug endpoint failed to answer {}; closing the connection",
                        ctx.channel().remoteAddress(), e);
                ctx.close();
            }
            return null;
        }, pagesExecutor);
    }

    /** A complete response; for HEAD without the body but with the length the body would have. */
    private static FullHttpResponse response(HttpVersion version, boolean keepAlive, boolean head, DebugResponse page) {
        byte[] body = page.bodyBytes();
        FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(page.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, page.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setKeepAlive(res, keepAlive);
        return res;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("debug endpoint connection from {} failed", ctx.channel().remoteAddress(), cause);
        } else {
            log.warn("debug endpoint connection from {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
