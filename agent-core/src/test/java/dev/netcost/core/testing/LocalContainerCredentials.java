package dev.netcost.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A container-credentials endpoint on 127.0.0.1, as the EKS Pod Identity agent serves it: a GET whose
 * {@code Authorization} header must be the pod's current token (the contents of
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}), answered with JSON credentials that expire after
 * {@code lifetime}; any other token gets 401. Point the SDK at it with
 * {@code AWS_CONTAINER_CREDENTIALS_FULL_URI}.
 */
public final class LocalContainerCredentials implements AutoCloseable {
    /** One request: the token it carried and whether credentials were issued. */
    public record Call(String authorization, String accessKeyIdIssued) {
    }

    private final HttpServer server;
    private final Clock clock = Clock.systemUTC();
    private final Duration lifetime;
    private final Supplier<String> expectedToken;
    private final Consumer<LocalSts.Issued> onIssue;
    private final AtomicInteger serial = new AtomicInteger();
    private final List<Call> calls = new ArrayList<>();

    private LocalContainerCredentials(Duration lifetime, Supplier<String> expectedToken,
            Consumer<LocalSts.Issued> onIssue) throws IOException {
        this.lifetime = lifetime;
        this.expectedToken = Objects.requireNonNull(expectedToken, "expectedToken");
        this.onIssue = Objects.requireNonNull(onIssue, "onIssue");
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/credentials", this::handle);
        server.start();
    }

    public static LocalContainerCredentials start(Duration lifetime, Supplier<String> expectedToken,
            Consumer<LocalSts.Issued> onIssue) throws IOException {
        return new LocalContainerCredentials(lifetime, expectedToken, onIssue);
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/credentials");
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (!ex.getRequestMethod().equals("GET") || !Objects.equals(auth, expectedToken.get())) {
                synchronized (this) {
                    calls.add(new Call(auth, null));
                }
                LocalAwsServer.reply(ex, 401, "application/json",
                        "{\"code\":\"AccessDeniedException\",\"message\":\"invalid authorization token\"}");
                return;
            }
            int n = serial.incrementAndGet();
            LocalSts.Issued issued = new LocalSts.Issued(String.format("ASIAPODIDENT%08d", n),
                    "pod-identity-secret-" + n, "pod-identity-token-" + n,
                    clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS));
            onIssue.accept(issued);
            synchronized (this) {
                calls.add(new Call(auth, issued.accessKeyId()));
            }
            LocalAwsServer.reply(ex, 200, "application/json", """
                    {"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s","AccountId":"123456789012","Expiration":"%s"}
                    """.formatted(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken(),
                    issued.expiration()).strip());
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
