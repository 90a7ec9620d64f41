package dev.netcost.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.netcost.core.testing.LocalAwsServer;
import dev.netcost.core.testing.LocalSts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The AWS IAM Identity Center (SSO) portal API on 127.0.0.1, answering {@code GetRoleCredentials}
 * ({@code GET /federation/credentials?role_name=..&account_id=..}) in its REST-JSON form, as the AWS
 * SDK calls it for a profile made by {@code aws sso login} (point the SDK at it with
 * {@code AWS_ENDPOINT_URL_SSO}). Only {@code accessToken} is accepted as the bearer token
 * ({@code x-amz-sso_bearer_token}); each call issues new role credentials and hands them to {@code onIssue}.
 */
final class LocalSsoPortal implements AutoCloseable {
    /** One call: the role and account asked for, the bearer token presented. */
    record Call(String roleName, String accountId, String bearerToken, String accessKeyIdIssued) {
    }

    private final HttpServer server;
    private final String accessToken;
    private final Consumer<LocalSts.Issued> onIssue;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    private LocalSsoPortal(String accessToken, Consumer<LocalSts.Issued> onIssue) throws IOException {
        this.accessToken = accessToken;
        this.onIssue = onIssue;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    static LocalSsoPortal start(String accessToken, Consumer<LocalSts.Issued> onIssue) throws IOException {
        return new LocalSsoPortal(accessToken, onIssue);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Call> calls() {
        return List.copyOf(calls);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            Map<String, String> q = new HashMap<>();
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        q.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    }
                }
            }
            String token = ex.getRequestHeaders().getFirst("x-amz-sso_bearer_token");
            if (!ex.getRequestMethod().equals("GET") || !uri.getPath().equals("/federation/credentials")) {
                LocalAwsServer.reply(ex, 404, "application/json", "{\"message\":\"no such operation\"}");
                return;
            }
            if (!accessToken.equals(token)) {
                calls.add(new Call(q.get("role_name"), q.get("account_id"), token, null));
                ex.getResponseHeaders().set("x-amzn-ErrorType", "UnauthorizedException");
                LocalAwsServer.reply(ex, 401, "application/json",
                        "{\"message\":\"Session token not found or invalid\"}");
                return;
            }
            int n = calls.size() + 1;
            LocalSts.Issued issued = new LocalSts.Issued(String.format("ASIALOCALSSO%08d", n), "local-sso-secret-" + n,
                    "local-sso-session-token-" + n, Instant.now().plus(Duration.ofHours(1)));
            onIssue.accept(issued);
            calls.add(new Call(q.get("role_name"), q.get("account_id"), token, issued.accessKeyId()));
            LocalAwsServer.reply(ex, 200, "application/json", """
                    {"roleCredentials":{"accessKeyId":"%s","secretAccessKey":"%s","sessionToken":"%s","expiration":%d}}"""
                    .formatted(issued.accessKeyId(), issued.secretAccessKey(), issued.sessionToken(),
                            issued.expiration().toEpochMilli()));
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
