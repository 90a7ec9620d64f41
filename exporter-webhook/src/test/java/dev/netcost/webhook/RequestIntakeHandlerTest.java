package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The intake of one connection on an embedded channel: the phases as {@link ClientLimits} sees them. */
class RequestIntakeHandlerTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ClientLimits limits = new ClientLimits(4, 1 << 20);
    private final List<ReceivedRequest> received = new ArrayList<>();
    private RequestIntakeHandler intake;
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        ClientErrors errors = new ClientErrors(new WebhookMetrics(meters, new RecordedObjects(false), () -> true),
                Clock.systemUTC());
        Duration deadline = Duration.ofSeconds(30);
        intake = new RequestIntakeHandler(limits, new RequestIntakeHandler.Deadlines(deadline, deadline, deadline),
                1 << 20, errors);
        channel = new EmbeddedChannel(intake, new SimpleChannelInboundHandler<ReceivedRequest>(false) {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ReceivedRequest r) {
                received.add(r);
            }
        });
    }

    @AfterEach
    void close() {
        received.forEach(ReceivedRequest::close);
        channel.finishAndReleaseAll();
    }

    private static FullHttpRequest review() {
        byte[] body = "{\"kind\":\"AdmissionReview\"}".getBytes(StandardCharsets.UTF_8);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/validate",
                Unpooled.wrappedBuffer(body));
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    private void answer() {
        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.releaseOutbound();
    }

    private double shed() {
        return meters.find("netcost.agent.webhook.connections.shed").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    @Test
    void aClientChosenForClosingWhileWaiting_thatHasSentARequestSince_isAnsweredBeforeItIsClosed() {
        assertThat(intake.waitingSince()).as("waiting for a head").isNotEqualTo(Long.MAX_VALUE);
        // ClientLimits (on another connection's thread) picks it while it waits; before the close runs
        // on its own event loop, its request arrives and is being answered.
        channel.writeInbound(review());
        assertThat(received).hasSize(1);
        assertThat(intake.waitingSince()).as("being answered").isEqualTo(Long.MAX_VALUE);
        intake.evict(ClientLimits.CONNECTIONS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("never closed while its request is answered").isTrue();

        answer();
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("closed once answered").isFalse();
        assertThat(shed()).isEqualTo(1.0);
        assertThat(limits.connections()).isZero();
    }

    @Test
    void aWaitingClient_isClosedWhenEvicted() {
        intake.evict(ClientLimits.CONNECTIONS);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        assertThat(shed()).isEqualTo(1.0);
        assertThat(limits.connections()).isZero();
    }
}
