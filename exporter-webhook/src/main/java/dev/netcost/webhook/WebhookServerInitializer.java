package dev.netcost.webhook;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * TLS (the reloader's current context, taken per connection, so rotations reach new handshakes),
 * HTTP/1.1, bodies aggregated up to {@code maxBodyBytes} (the aggregator answers 413 beyond), then the
 * request handler. Idle connections are closed after {@link #IDLE_SECONDS}.
 */
final class WebhookServerInitializer extends ChannelInitializer<SocketChannel> {
    static final int IDLE_SECONDS = 120;

    private final ServerTlsReloader tls;
    private final int maxBodyBytes;
    private final WebhookRoutes routes;
    private final ExecutorService workers;
    private final WebhookMetrics metrics;

    WebhookServerInitializer(ServerTlsReloader tls, int maxBodyBytes, WebhookRoutes routes, ExecutorService workers,
                             WebhookMetrics metrics) {
        this.tls = tls;
        this.maxBodyBytes = maxBodyBytes;
        this.routes = routes;
        this.workers = workers;
        this.metrics = metrics;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("tls", tls.current().newHandler(ch.alloc()))
                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(maxBodyBytes))
                .addLast("webhook", new WebhookRequestHandler(routes, workers, metrics));
    }
}
