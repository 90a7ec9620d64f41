package dev.netcost.core.auth;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Signs HTTP requests with AWS Signature Version 4 (the AWS SDK's signer), for Amazon Managed
 * Prometheus and any other SigV4 endpoint, with credentials from the SDK's default chain
 * (environment, web identity / IRSA, EKS Pod Identity, instance profile), optionally exchanged for
 * a role's through STS {@code AssumeRole}.
 *
 * <p>Credentials are cached and refreshed in the background before they expire, so a request never
 * waits for STS while the current credentials are still good. Takes and returns JDK types only, so
 * any HTTP client can use it: the caller sends exactly the headers and body it had signed, plus the
 * headers {@link #sign} returns.
 */
public final class SigV4RequestSigner implements AutoCloseable {
    /** Headers the JDK's HTTP client writes itself and refuses to be given. */
    private static final java.util.Set<String> SET_BY_CLIENT = java.util.Set.of("host", "content-length");

    private final SigV4Config config;
    private final AwsCredentialsProvider credentials;
    private final List<SdkAutoCloseable> owned;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private volatile String lastIdentity;

    private SigV4RequestSigner(Builder b) {
        this.config = b.config;
        this.clock = b.clock;
        this.owned = new ArrayList<>();
        if (b.credentials != null) {
            this.credentials = b.credentials;
        } else {
            this.credentials = defaultCredentials(b.config, b.sessionName, owned);
        }
        this.lastIdentity = "no credentials resolved yet (" + source() + ")";
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The SDK's default chain, or a role assumed with it. Both refresh asynchronously, ahead of
     * expiry; STS goes through the JDK's URL connection, not a second HTTP stack.
     */
    private static AwsCredentialsProvider defaultCredentials(SigV4Config c, String sessionName,
            List<SdkAutoCloseable> owned) {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder()
                .asyncCredentialUpdateEnabled(true).build();
        owned.add(chain);
        if (c.roleArn() == null) {
            return chain;
        }
        StsClient sts = StsClient.builder()
                .region(Region.of(c.region()))
                .credentialsProvider(chain)
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build();
        StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(r -> r.roleArn(c.roleArn()).roleSessionName(sessionName))
                .asyncCredentialUpdateEnabled(true)
                .build();
        owned.add(0, assumed);
        owned.add(sts);
        return assumed;
    }

    public SigV4Config config() {
        return config;
    }

    /**
     * Signs one request and returns the headers to add to it ({@code Authorization},
     * {@code X-Amz-Date}, {@code X-Amz-Security-Token} for temporary credentials, ...). The payload
     * hash covers exactly {@code body[offset, offset+length)}; every entry of {@code headers} is signed,
     * so the request must carry them unchanged. {@code Host} is signed as the JDK's client sends it
     * (the URI's host, and its port unless it is the scheme's default).
     *
     * @throws SigningException when no credentials can be had (the message says where they were sought)
     */
    public Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body, int offset,
            int length) throws SigningException {
        AwsCredentialsIdentity identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (RuntimeException e) {
            throw new SigningException("cannot get AWS credentials for SigV4 from " + source() + ": "
                    + e.getMessage() + " (possible fixes: give the pod an IAM role through IRSA or EKS Pod"
                    + " Identity, or check that STS is reachable)", e);
        }
        lastIdentity = describe(identity);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(method.toUpperCase(Locale.ROOT)))
                .uri(uri);
        TreeSet<String> given = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            request.putHeader(k, v);
            given.add(k);
        });
        SignedRequest signed;
        try {
            signed = signer.sign(r -> r.identity(identity)
                    .request(request.build())
                    .payload(() -> new ByteArrayInputStream(body, offset, length))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, config.service())
                    .putProperty(AwsV4HttpSigner.REGION_NAME, config.region())
                    .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        } catch (RuntimeException e) {
            throw new SigningException("cannot sign the request with SigV4: " + e.getMessage(), e);
        }
        Map<String, String> added = new LinkedHashMap<>();
        signed.request().forEachHeader((name, values) -> {
            if (!given.contains(name) && !SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                added.put(name, String.join(",", values));
            }
        });
        return added;
    }

    /**
     * Which identity signed the latest request, for messages about a 403: where the credentials came
     * from and the start of the access key id (never the secret), plus the role when one is assumed.
     */
    public String identity() {
        return lastIdentity;
    }

    private String describe(AwsCredentialsIdentity id) {
        String key = id.accessKeyId();
        String shown = key.length() <= 8 ? key : key.substring(0, 8) + "...";
        return "access key " + shown + " from " + id.providerName().orElse(source())
                + (config.roleArn() == null ? "" : " (role " + config.roleArn() + ")")
                + ", region " + config.region() + ", service " + config.service();
    }

    private String source() {
        return config.roleArn() == null ? "the AWS SDK's default credential chain"
                : "STS AssumeRole of " + config.roleArn() + " with the default credential chain";
    }

    /** Stops the background credential refresh and the STS client. */
    @Override
    public void close() {
        for (SdkAutoCloseable c : owned) {
            c.close();
        }
    }

    /** No credentials, or the signer refused the request; sending it unsigned would only earn a 403. */
    public static final class SigningException extends Exception {
        private static final long serialVersionUID = 1L;

        SigningException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final class Builder {
        private SigV4Config config;
        private Clock clock = Clock.systemUTC();
        private AwsCredentialsProvider credentials;
        private String sessionName = "netcost";

        private Builder() {
        }

        public Builder config(SigV4Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The signing time comes from here. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The role session name for {@code roleArn} (2-64 of {@code [\w+=,.@-]}; default {@code netcost}). */
        public Builder sessionName(String sessionName) {
            if (!sessionName.matches("[\\w+=,.@-]{2,64}")) {
                throw new IllegalArgumentException("role session name must be 2-64 of [\\w+=,.@-], got '"
                        + sessionName + "'");
            }
            this.sessionName = sessionName;
            return this;
        }

        /**
         * Replaces the default chain (and {@code roleArn}) with this provider, which the caller owns.
         */
        // VisibleForTesting
        public Builder credentials(AwsCredentialsProvider credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /** Builds the signer; no credentials are fetched until the first request. */
        public SigV4RequestSigner build() {
            Objects.requireNonNull(config, "config");
            return new SigV4RequestSigner(this);
        }
    }
}
