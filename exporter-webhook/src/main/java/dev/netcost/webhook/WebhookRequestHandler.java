package dev.netcost.webhook;

import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one whole request from {@link RequestIntakeHandler}. Refusals (413, 503), routing (404, 405)
 * and decode failures (400) are answered from the event loop; everything else (decoding and recording a
 * review, rendering {@code /metrics}) runs on the worker pool, which closes the request, so giving its
 * bytes back to the budget, once done. When the pool's queue is full the answer is 503, which the API
 * server treats as {@code failurePolicy: Ignore} says: the object is admitted. Responses of one
 * connection are written in request order. One instance per connection.
 */
final class WebhookRequestHandler extends SimpleChannelInboundHandler<ReceivedRequest> {
    private static final Logger log = LoggerFactory.getLogger(WebhookRequestHandler.class);

    private final WebhookRoutes routes;
    private final WorkerPool workers;
    private final WebhookMetrics metrics;
    // The last response of this connection; only read and replaced on the event loop.
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    WebhookRequestHandler(WebhookRoutes routes, WorkerPool workers, WebhookMetrics metrics) {
        super(false); // a ReceivedRequest is closed by whoever reads its body, possibly a worker
        this.routes = routes;
        this.workers = workers;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ReceivedRequest received) {
        HttpRequest request = received.head;
        if (request.decoderResult().isFailure()) {
            received.close();
            // The decoder discards whatever follows a bad message, so the connection cannot be reused.
            String why = String.valueOf(request.decoderResult().cause());
            inOrder(ctx, HttpVersion.HTTP_1_1, false, false, null,
                    CompletableFuture.completedFuture(WebhookResponse.text(400, "bad request: " + why)));
            return;
        }
        if (received.refusal != 0) {
            received.close();
            // The body was not read, so the connection cannot carry another request.
            inOrder(ctx, request.protocolVersion(), false, false, null,
                    CompletableFuture.completedFuture(WebhookResponse.text(received.refusal, received.refusalMessage)));
            return;
        }
        HttpVersion version = request.protocolVersion();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        String path = new QueryStringDecoder(request.uri()).path();
        WebhookRoutes.Route route = WebhookRoutes.route(request.method().name(), path);
        CompletableFuture<WebhookResponse> response;
        if (route == WebhookRoutes.Route.NOT_FOUND || route == WebhookRoutes.Route.WRONG_METHOD_GET
                || route == WebhookRoutes.Route.WRONG_METHOD_POST || route == WebhookRoutes.Route.HEALTHZ) {
            received.close();
            response = CompletableFuture.completedFuture(routes.respond(route, path, InputStream.nullInputStream()));
        } else {
            // The body outlives this call: closed on the worker once read.
            CompletableFuture<WebhookResponse> answer = new CompletableFuture<>();
            response = answer;
            if (!workers.submit(received.body.readableBytes(), () -> answer.complete(respond(route, path, received)))) {
                received.close();
                answer.complete(WebhookResponse.text(503, "overloaded: too many requests queued, try again"));
            }
        }
        inOrder(ctx, version, keepAlive, head, route.allow, response);
    }

    private WebhookResponse respond(WebhookRoutes.Route route, String path, ReceivedRequest received) {
        try (received; InputStream body = new ByteBufInputStream(received.body)) {
            return routes.respond(route, path, body);
        } catch (IOException | RuntimeException e) {
            log.warn("BUG: answering {} failed", path, e);
            return WebhookResponse.text(500, "internal error, see the webhook log");
        }
    }

    /** Writes {@code response} once it is ready and this connection's previous response is written. */
    private void inOrder(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive, boolean head,
                         String allow, CompletableFuture<WebhookResponse> response) {
        previous = previous.thenCombine(response, (ignored, r) -> r).thenAccept(r -> {
            metrics.response(r.status());
            FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(r.status()),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
            res.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            if (allow != null) {
                res.headers().set(HttpHeaderNames.ALLOW, allow);
            }
            HttpUtil.setKeepAlive(res, keepAlive);
            ChannelFuture f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }).exceptionally(e -> {
            log.warn("BUG: webhook server failed to answer {}; closing the connection", ctx.channel().remoteAddress(), e);
            ctx.close();
            return null;
        });
    }

    /** What clients cause is counted and logged by {@link RequestIntakeHandler}; what reaches here is not theirs. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("BUG: webhook connection from {} failed; closing it", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
