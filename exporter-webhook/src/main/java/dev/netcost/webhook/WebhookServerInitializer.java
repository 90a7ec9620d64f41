package dev.netcost.webhook;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.ExecutorService;

/**
 * TLS (the reloader's current context, taken per connection, so rotations reach new handshakes),
 * HTTP/1.1, each request read whole within its deadlines and the {@link ClientLimits}
 * ({@link RequestIntakeHandler}), then the request handler.
 */
final class WebhookServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerTlsReloader tls;
    private final ClientLimits limits;
    private final RequestIntakeHandler.Deadlines deadlines;
    private final int maxBodyBytes;
    private final ClientErrors errors;
    private final WebhookRoutes routes;
    private final ExecutorService workers;
    private final WebhookMetrics metrics;

    WebhookServerInitializer(ServerTlsReloader tls, ClientLimits limits, RequestIntakeHandler.Deadlines deadlines,
                             int maxBodyBytes, ClientErrors errors, WebhookRoutes routes, ExecutorService workers,
                             WebhookMetrics metrics) {
        this.tls = tls;
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
                .addLast("tls", tls.current().newHandler(ch.alloc()))
                .addLast("codec", new HttpServerCodec())
                .addLast("intake", new RequestIntakeHandler(limits, deadlines, maxBodyBytes, errors))
                .addLast("webhook", new WebhookRequestHandler(routes, workers, metrics));
    }
}
