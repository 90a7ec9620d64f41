package dev.netcost.report.prometheus;

import dev.netcost.core.auth.SigV4Config;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to reach the Prometheus HTTP API; the same choices as a remote-write endpoint's.
 *
 * @param url                   base URL, e.g. {@code http://prometheus:9090} or {@code http://mimir/prometheus}
 * @param bearerTokenFile       file holding a bearer token, or null
 * @param basicAuthUsername     basic-auth user, or null
 * @param basicAuthPasswordFile file holding the basic-auth password, or null
 * @param caFile                PEM CA bundle to trust instead of the JDK's, or null
 * @param certFile              PEM client certificate for mutual TLS, or null
 * @param keyFile               PEM PKCS#8 key of {@code certFile}, or null
 * @param insecureSkipVerify    accept any server certificate and host name
 * @param headers               extra request headers, e.g. {@code X-Scope-OrgID}
 * @param timeout               per request
 * @param sigv4                 sign every request with AWS SigV4 (Amazon Managed Prometheus), or null
 * @param authorizer            overrides the credentials above when not null
 */
public record PrometheusSettings(URI url, Path bearerTokenFile, String basicAuthUsername, Path basicAuthPasswordFile,
                                 Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify,
                                 Map<String, String> headers, Duration timeout, SigV4Config sigv4,
                                 RequestAuthorizer authorizer) {
    public PrometheusSettings {
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The credentials to send: the explicit authorizer, else SigV4, else bearer token, else basic auth,
     * else none. A new SigV4 authorizer is the caller's to close.
     */
    RequestAuthorizer effectiveAuthorizer() {
        if (authorizer != null) {
            return authorizer;
        }
        if (sigv4 != null) {
            return SigV4Authorizer.create(sigv4);
        }
        if (bearerTokenFile != null) {
            return new BearerTokenAuthorizer(bearerTokenFile);
        }
        if (basicAuthUsername != null) {
            return new BasicAuthorizer(basicAuthUsername, basicAuthPasswordFile);
        }
        return RequestAuthorizer.NONE;
    }
}
