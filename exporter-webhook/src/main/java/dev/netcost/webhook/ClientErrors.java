package dev.netcost.webhook;

import dev.netcost.core.log.Printable;
import dev.netcost.core.log.ThrottledLogger;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.LoggerFactory;

/**
 * Failures a client causes (a dropped connection, a failed TLS handshake, a request that is not HTTP,
 * a missed deadline): counted in {@code netcost_agent_webhook_client_errors_total{reason}} and logged at
 * most once a minute per reason, with how many were not logged, and never with a stack trace: any client
 * can cause them at any rate, and the log must stay readable.
 */
final class ClientErrors {
    static final String TLS = "tls";
    static final String MALFORMED_REQUEST = "malformed_request";
    static final String DROPPED_MID_BODY = "dropped_mid_body";
    static final String HEADER_TIMEOUT = "header_timeout";
    static final String BODY_TIMEOUT = "body_timeout";
    static final String CONNECTION_RESET = "connection_reset";

    private final WebhookMetrics metrics;
    private final ThrottledLogger log;

    ClientErrors(WebhookMetrics metrics, Clock clock) {
        this.metrics = metrics;
        this.log = new ThrottledLogger(LoggerFactory.getLogger(ClientErrors.class), clock, Duration.ofMinutes(1));
    }

    /** Counts one failure of {@code reason} from {@code client} and logs it when the minute allows. */
    void record(String reason, SocketAddress client, String detail) {
        metrics.clientError(reason);
        log.warn(reason, "webhook client {}: {} (counted in netcost_agent_webhook_client_errors_total{reason=\"{}\"};"
                + " only the API server should call this port)", client, Printable.of(detail, 200), reason);
    }

    /** A limit shed a connection: counted, and logged once a minute, since it means the server is under pressure. */
    void shed(String limit, SocketAddress client) {
        metrics.shed(limit);
        log.warn("shed-" + limit, "webhook closed the connection of {}, the client that kept it waiting longest, to stay"
                + " within webhook.{} (counted in netcost_agent_webhook_connections_shed_total{limit=\"{}\"}; possible"
                + " fixes: find the clients holding connections open, or raise the limit)", client,
                limit.equals(ClientLimits.CONNECTIONS) ? "maxConnections" : "maxInFlightBodyBytes", limit);
    }

    /**
     * A connection failed in a way no client should be able to cause (a bug, or memory running out):
     * logged with its stack trace, but once a minute per kind, since a client may still be the trigger.
     */
    void unexpected(SocketAddress client, Throwable cause) {
        log.error("unexpected-" + cause.getClass().getName(), "BUG: webhook connection from {} failed; closed it",
                client, cause);
    }
}
