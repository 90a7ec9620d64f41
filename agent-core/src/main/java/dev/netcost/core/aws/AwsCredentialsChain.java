package dev.netcost.core.aws;

import dev.netcost.core.config.AwsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The SDK's default credential order, built here so that every endpoint in it honours {@code aws.*}:
 * <ol>
 *   <li>environment keys ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN});</li>
 *   <li>IRSA: {@code AWS_WEB_IDENTITY_TOKEN_FILE} + {@code AWS_ROLE_ARN}, exchanged at STS
 *       ({@code aws.stsEndpoint}, else the region's) with {@code AssumeRoleWithWebIdentity}; the token
 *       file is re-read on every refresh, as the kubelet rotates it;</li>
 *   <li>EKS Pod Identity and ECS: the container credentials endpoint
 *       ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI} / {@code _RELATIVE_URI});</li>
 *   <li>the instance profile, through IMDSv2 at {@code aws.imdsEndpoint}.</li>
 * </ol>
 * The first that answers is kept for later calls. Secrets are never logged.
 */
public final class AwsCredentialsChain implements AwsCredentialsProvider, AutoCloseable {
    private final AwsCredentialsProviderChain chain;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final String description;

    /**
     * @param env    the process environment (tests pass their own)
     * @param region the region for STS
     * @param http   the HTTP client for STS (closed by the caller)
     */
    public AwsCredentialsChain(AwsConfig config, String region, Map<String, String> env, SdkHttpClient http) {
        Objects.requireNonNull(env, "env");
        List<AwsCredentialsProvider> providers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        String key = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (notEmpty(key) && notEmpty(secret)) {
            String token = env.get("AWS_SESSION_TOKEN");
            AwsCredentials c = notEmpty(token) ? AwsSessionCredentials.create(key, secret, token)
                    : AwsBasicCredentials.create(key, secret);
            providers.add(StaticCredentialsProvider.create(c));
            names.add("environment");
        }
        String tokenFile = env.get("AWS_WEB_IDENTITY_TOKEN_FILE");
        String roleArn = env.get("AWS_ROLE_ARN");
        if (notEmpty(tokenFile) && notEmpty(roleArn)) {
            StsClientBuilder sb = StsClient.builder().region(Region.of(region)).httpClient(http)
                    .credentialsProvider(AnonymousCredentialsProvider.create());
            if (config.stsEndpoint() != null) {
                sb.endpointOverride(config.stsEndpoint());
            }
            StsClient sts = sb.build();
            owned.add(sts);
            String session = notEmpty(env.get("AWS_ROLE_SESSION_NAME")) ? env.get("AWS_ROLE_SESSION_NAME")
                    : "netcost";
            StsAssumeRoleWithWebIdentityCredentialsProvider irsa = StsAssumeRoleWithWebIdentityCredentialsProvider
                    .builder().stsClient(sts).asyncCredentialUpdateEnabled(false)
                    .refreshRequest(() -> AssumeRoleWithWebIdentityRequest.builder().roleArn(roleArn)
                            .roleSessionName(session).webIdentityToken(readToken(Path.of(tokenFile))).build())
                    .build();
            owned.add(irsa);
            providers.add(irsa);
            names.add("web identity (IRSA) for " + roleArn);
        }
        if (notEmpty(env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
                || notEmpty(env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))) {
            ContainerCredentialsProvider container = ContainerCredentialsProvider.builder().build();
            owned.add(container);
            providers.add(container);
            names.add("container (EKS Pod Identity)");
        }
        InstanceProfileCredentialsProvider instance = InstanceProfileCredentialsProvider.builder()
                .endpoint(config.imdsEndpoint().toString()).asyncCredentialUpdateEnabled(false).build();
        owned.add(instance);
        providers.add(instance);
        names.add("instance profile");
        this.chain = AwsCredentialsProviderChain.builder().credentialsProviders(providers)
                .reuseLastProviderEnabled(true).build();
        this.description = String.join(", then ", names);
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isBlank();
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw SdkClientException.create("cannot read the web identity token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The providers tried, in order, for start-up logs (no secrets). */
    public String description() {
        return description;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return chain.resolveCredentials();
    }

    @Override
    public void close() {
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                // closing: nothing more to do
            }
        }
        chain.close();
    }
}
