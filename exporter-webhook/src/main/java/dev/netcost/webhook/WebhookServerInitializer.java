package dev.netcost.webhook;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.Executor;

/**
 * TLS (the reloader's current context, taken per connection, so rotations reach new handshakes; the
 * handshakes' crypto runs on {@code handshakes}, off the I/O threads, so that a storm of new connections
 * does not hold up requests on connections already open),
 * HTTP/1.1, each request read whole within its deadlines and the {@link ClientLimits}
 * ({@link RequestIntakeHandler}), then the request handler.
 */
final class WebhookServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerTlsReloader tls;
    private final Executor handshakes;
    private final ClientLimits limits;
    private final RequestIntakeHandler.Deadlines deadlines;
    private final int maxBodyBytes;
    private final ClientErrors errors;
    private final WebhookRoutes routes;
    private final WorkerPool workers;
    private final WebhookMetrics metrics;

    WebhookServerInitializer(ServerTlsReloader tls, Executor handshakes, ClientLimits limits, RequestIntakeHandler.Deadlines deadlines,
                             int maxBodyBytes, ClientErrors errors, WebhookRoutes routes, WorkerPool workers,
                             WebhookMetrics metrics) {
        this.tls = tls;
        this.handshakes = handshakes;
        this.limits = limits;
        this.deadlines = deadlines;
        this.maxBodyBytes = maxBodyBytes;
        this.errors = errors;
        this.routes = routes;
        this.workers = workers;
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("tls", tls.current().newHandler(ch.alloc(), handshakes))
                .addLast("codec", new HttpServerCodec())
                .addLast("intake", new RequestIntakeHandler(limits, deadlines, maxBodyBytes, errors))
                .addLast("webhook", new WebhookRequestHandler(routes, workers, metrics));
    }
}
