package dev.netcost.core.http;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.concurrent.Executor;

/** codec → aggregator → {@link DebugRequestHandler}, which renders pages on {@code pagesExecutor}. */
final class DebugServerInitializer extends ChannelInitializer<SocketChannel> {
    /** Requests to a debug endpoint carry no body worth more than this; larger ones get a 413. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final DebugPages pages;
    private final Executor pagesExecutor;

    DebugServerInitializer(DebugPages pages, Executor pagesExecutor) {
        this.pages = pages;
        this.pagesExecutor = pagesExecutor;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                .addLast("pages", new DebugRequestHandler(pages, pagesExecutor));
    }
}
