package dev.netcost.webhook;

import dev.netcost.core.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS server of {@code netcost webhook} ({@code webhook.listen}).
 *
 * <p>Threads: one accepts connections ({@code netcost-webhook-accept}), one runs the TLS handshakes'
 * crypto ({@code netcost-webhook-tls}), two event loops ({@code netcost-webhook-io}) do TLS records and
 * HTTP framing only; reviews are decoded and recorded on
 * {@code workerThreads} workers ({@code netcost-webhook-worker}, see {@link WorkerPool}) with at most
 * {@link #QUEUE_CAPACITY} waiting, so a flood cannot exhaust memory and never stalls I/O.
 *
 * <p>Memory clients can make it hold is bounded by {@link ClientLimits} (connections, body bytes) and by
 * where it lives: connections allocate from the heap, so request bodies and
 * decrypted data count against {@code -Xmx}, which the limits are sized from, and only the socket reads
 * use direct memory, at most {@link #MAX_READ_BYTES} each.
 */
final class WebhookServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
    static final int IO_THREADS = 2;
    static final int QUEUE_CAPACITY = 4096;
    private static final long SHUTDOWN_TIMEOUT_MS = 2000;
    /** One TLS record and a little more: the largest socket read, in direct memory. */
    static final int MAX_READ_BYTES = 32 * 1024;
    /**
     * Reads per connection per turn of its I/O thread: a bulk upload yields after {@code READS_PER_TURN *
     * MAX_READ_BYTES}, so the handshakes and small requests sharing the thread are not kept waiting.
     */
    static final int READS_PER_TURN = 4;
    /**
     * Heap buffers, pooled: what TLS decrypts is copied into the request's body at once, so the pool
     * recycles a few chunks instead of making garbage of every byte received.
     */
    private final AdaptiveByteBufAllocator childAllocator = new AdaptiveByteBufAllocator(false);

    private final ServerTlsReloader tls;
    private final WebhookConfig config;
    private final WebhookRoutes routes;
    private final WebhookMetrics metrics;
    private final ClientLimits limits;
    private final ClientErrors errors;
    private EventLoopGroup acceptLoop;
    private EventLoopGroup eventLoop;
    private WorkerPool workers;
    private ExecutorService handshakes;
    private Channel channel;

    WebhookServer(ServerTlsReloader tls, WebhookConfig config, WebhookRoutes routes, WebhookMetrics metrics,
                  Clock clock) {
        this.tls = tls;
        this.config = config;
        this.routes = routes;
        this.metrics = metrics;
        this.limits = new ClientLimits(config.maxConnections(), config.maxInFlightBodyBytes());
        this.errors = new ClientErrors(metrics, clock);
        metrics.limits(limits);
    }

    /** Binds {@code listen} (port 0 picks one, see {@link #port()}). */
    synchronized void start(HostPort listen) throws IOException {
        if (eventLoop != null) {
            throw new IllegalStateException("webhook server already started");
        }
        // Accepting has a thread of its own, so that connections are taken in while the I/O threads are busy.
        acceptLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcost-webhook-accept", true),
                NioIoHandler.newFactory());
        eventLoop = new MultiThreadIoEventLoopGroup(IO_THREADS, new DefaultThreadFactory("netcost-webhook-io", true),
                NioIoHandler.newFactory());
        workers = new WorkerPool(config.workerThreads(), QUEUE_CAPACITY);
        // One thread: new connections' handshakes take at most one core, and never an I/O thread.
        handshakes = Executors.newSingleThreadExecutor(new DefaultThreadFactory("netcost-webhook-tls", true));
        InetSocketAddress address = listen.toSocketAddress();
        ChannelFuture bind = new ServerBootstrap()
                .group(acceptLoop, eventLoop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, childAllocator)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 2048, MAX_READ_BYTES)
                        .maxMessagesPerRead(READS_PER_TURN))
                .childHandler(new WebhookServerInitializer(tls, handshakes, limits, new RequestIntakeHandler.Deadlines(
                        config.headerTimeout(), config.bodyTimeout(), config.idleTimeout()), (int) config.maxBodyBytes(),
                        errors, routes, workers, metrics))
                .bind(address)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            close();
            throw new IOException("cannot serve the webhook on " + listen + ": " + bind.cause()
                    + " (possible fixes: free the port, or set webhook.listen to another address)", bind.cause());
        }
        channel = bind.channel();
        log.info("admission webhook listening on https://{}/validate", new HostPort(listen.host(), port()));
    }

    synchronized int port() {
        if (channel == null) {
            throw new IllegalStateException("webhook server not started");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    synchronized boolean isServing() {
        return channel != null && channel.isActive();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
            channel = null;
        }
        for (EventLoopGroup g : new EventLoopGroup[] {acceptLoop, eventLoop}) {
            if (g != null) {
                g.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS).awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
            }
        }
        acceptLoop = null;
        eventLoop = null;
        if (workers != null) {
            workers.close();
            workers = null;
        }
        if (handshakes != null) {
            handshakes.shutdownNow();
            handshakes = null;
        }
    }
}
