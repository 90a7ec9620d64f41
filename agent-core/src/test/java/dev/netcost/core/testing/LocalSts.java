package dev.netcost.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * AWS STS on 127.0.0.1 for tests, answering {@code AssumeRoleWithWebIdentity} and {@code AssumeRole}
 * in STS's query-protocol XML, so the AWS SDK's own providers are exercised end to end (point the
 * SDK at it with {@code AWS_ENDPOINT_URL_STS}). Each call issues new temporary credentials that expire
 * after {@code lifetime}, hands them to {@code onIssue} (e.g. {@link SigV4Verifier#allow}) and is
 * recorded. A web identity token other than {@code expectedToken}'s current value is refused with
 * STS's {@code InvalidIdentityToken} error.
 */
public final class LocalSts implements AutoCloseable {
    /** One STS call: the action, the role and session asked for, the web identity token presented (if any). */
    public record Call(String action, String roleArn, String roleSessionName, String webIdentityToken,
            String accessKeyIdIssued) {
    }

    /** Credentials as issued. */
    public record Issued(String accessKeyId, String secretAccessKey, String sessionToken, Instant expiration) {
    }

    private final HttpServer server;
    private final Clock clock;
    private final Duration lifetime;
    private final Consumer<Issued> onIssue;
    private final java.util.function.Supplier<String> expectedToken;
    private final AtomicInteger serial = new AtomicInteger();
    private final List<Call> calls = new ArrayList<>();

    private LocalSts(Duration lifetime, java.util.function.Supplier<String> expectedToken, Consumer<Issued> onIssue)
            throws IOException {
        this.clock = Clock.systemUTC();
        this.lifetime = lifetime;
        this.onIssue = onIssue;
        this.expectedToken = expectedToken;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * @param lifetime      how long issued credentials are valid
     * @param expectedToken the web identity token currently valid (read per call), or null to accept any
     * @param onIssue       told about every credential issued, before the answer is sent
     */
    public static LocalSts start(Duration lifetime, java.util.function.Supplier<String> expectedToken,
            Consumer<Issued> onIssue) throws IOException {
        return new LocalSts(lifetime, expectedToken, Objects.requireNonNull(onIssue, "onIssue"));
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = parseForm(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String action = form.getOrDefault("Action", "");
            if (!action.equals("AssumeRoleWithWebIdentity") && !action.equals("AssumeRole")) {
                reply(ex, 400, error("InvalidAction", "Could not find operation " + action));
                return;
            }
            String token = form.get("WebIdentityToken");
            if (action.equals("AssumeRoleWithWebIdentity") && expectedToken != null
                    && !Objects.equals(token, expectedToken.get())) {
                synchronized (this) {
                    calls.add(new Call(action, form.get("RoleArn"), form.get("RoleSessionName"), token, null));
                }
                reply(ex, 400, error("InvalidIdentityToken", "The web identity token is not valid"));
                return;
            }
            int n = serial.incrementAndGet();
            Issued issued = new Issued(String.format("ASIALOCALSTS%08d", n), "local-sts-secret-" + n + "/x+y",
                    "local-sts-session-token-" + n + "-" + "t".repeat(40),
                    clock.instant().plus(lifetime).truncatedTo(ChronoUnit.SECONDS));
            onIssue.accept(issued);
            synchronized (this) {
                calls.add(new Call(action, form.get("RoleArn"), form.get("RoleSessionName"), token, issued.accessKeyId()));
            }
            String session = form.getOrDefault("RoleSessionName", "session");
            reply(ex, 200, """
                    <%1$sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <%1$sResult>
                        %2$s<AssumedRoleUser>
                          <Arn>arn:aws:sts::123456789012:assumed-role/netcost-test/%3$s</Arn>
                          <AssumedRoleId>AROALOCALSTS:%3$s</AssumedRoleId>
                        </AssumedRoleUser>
                        <Credentials>
                          <AccessKeyId>%4$s</AccessKeyId>
                          <SecretAccessKey>%5$s</SecretAccessKey>
                          <SessionToken>%6$s</SessionToken>
                          <Expiration>%7$s</Expiration>
                        </Credentials>
                      </%1$sResult>
                      <ResponseMetadata><RequestId>local-%8$d</RequestId></ResponseMetadata>
                    </%1$sResponse>
                    """.formatted(action, action.equals("AssumeRole") ? ""
                            : "<SubjectFromWebIdentityToken>system:serviceaccount:netcost:netcost-agent"
                            + "</SubjectFromWebIdentityToken><Audience>sts.amazonaws.com</Audience>",
                    session, issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken(),
                    issued.expiration(), n));
        }
    }

    private static String error(String code, String message) {
        return """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                  <RequestId>local-error</RequestId>
                </ErrorResponse>
                """.formatted(code, message);
    }

    private static void reply(HttpExchange ex, int status, String xml) throws IOException {
        byte[] out = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/xml");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
