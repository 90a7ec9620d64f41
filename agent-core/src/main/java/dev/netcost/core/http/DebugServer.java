package dev.netcost.core.http;

import dev.netcost.core.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-level debug HTTP endpoint ({@code debug.listen}): {@code /healthz}, {@code /readyz},
 * {@code /metrics} and {@code /debug/*}, served by {@link DebugPages}.
 *
 * <p>Threads: one event loop ({@code netcost-debug-http}) moves bytes; pages are rendered on a
 * separate pool of two threads ({@code netcost-debug-pages}) that the handler hands each request to,
 * so a slow {@code /metrics} never stalls I/O and a probe can be answered while another connection
 * renders a page.
 */
public final class DebugServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DebugServer.class);
    private static final int PAGE_THREADS = 2;
    private static final long SHUTDOWN_TIMEOUT_MS = 2000;

    private final DebugPages pages;
    private EventLoopGroup eventLoop;
    private ExecutorService pagesExecutor;
    private Channel channel;

    public DebugServer(DebugPages pages) {
        this.pages = Objects.requireNonNull(pages, "pages");
    }

    /**
     * Binds {@code listen} (port 0 picks a free port, see {@link #port()}; an empty host means every
     * interface) and serves until {@link #close()}.
     *
     * @throws IOException when the address cannot be bound, e.g. the port is in use
     */
    public synchronized void start(HostPort listen) throws IOException {
        Objects.requireNonNull(listen, "listen");
        if (eventLoop != null) {
            throw new IllegalStateException("debug server already started");
        }
        eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("netcost-debug-http", true),
                NioIoHandler.newFactory());
        pagesExecutor = Executors.newFixedThreadPool(PAGE_THREADS, new DefaultThreadFactory("netcost-debug-pages", true));
        InetSocketAddress address = listen.toSocketAddress();
        ChannelFuture bind = new ServerBootstrap()
                .group(eventLoop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new DebugServerInitializer(pages, pagesExecutor))
                .bind(address)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            close();
            Throwable cause = bind.cause();
            throw new IOException("cannot serve the debug endpoint on " + listen + ": " + cause
                    + " (possible fixes: free the port, or set debug.listen to another address, or debug.enabled=false)",
                    cause);
        }
        channel = bind.channel();
        log.info("debug endpoint listening on http://{}/", new HostPort(listen.host(), port()));
    }

    /** The bound port; with {@code port 0} the one the system picked. */
    public synchronized int port() {
        if (channel == null) {
            throw new IllegalStateException("debug server not started");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** Stops accepting, closes open connections and stops the threads; returns within a few seconds. */
    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(SHUTDOWN_TIMEOUT_MS);
            channel = null;
        }
        if (eventLoop != null) {
            // No quiet period: nothing new can arrive once the server channel is closed. Shutting the
            // loop down closes the open connections.
            Future<?> loop = eventLoop.shutdownGracefully(0, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            loop.awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_MS);
            eventLoop = null;
        }
        if (pagesExecutor != null) {
            pagesExecutor.shutdown();
            try {
                if (!pagesExecutor.awaitTermination(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    pagesExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                pagesExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
            pagesExecutor = null;
        }
    }
}
