package dev.netcost.core.aws;

import dev.netcost.core.config.AwsConfig;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;

/**
 * Builds the AWS SDK clients netcost uses, all over one HTTP stack (the JDK's {@code HttpURLConnection},
 * through the SDK's url-connection client) with the configured timeouts and endpoint overrides, so
 * that no call goes anywhere {@code aws.*} did not say.
 */
public final class AwsClients {
    private AwsClients() {
    }

    /** An HTTP client whose connect and read timeouts are {@code aws.timeout}; close it after the clients using it. */
    public static SdkHttpClient httpClient(AwsConfig config) {
        return UrlConnectionHttpClient.builder().connectionTimeout(config.timeout()).socketTimeout(config.timeout())
                .build();
    }

    /**
     * An EC2 client for {@code region} at {@code aws.ec2Endpoint} (else the region's own endpoint). Each
     * attempt may take {@code aws.timeout}; the SDK's standard retries (throttling, 5xx, I/O errors, with
     * backoff) fit in four times that.
     */
    public static Ec2Client ec2(AwsConfig config, String region, AwsCredentialsProvider credentials,
                                SdkHttpClient http) {
        Objects.requireNonNull(region, "region");
        Duration attempt = config.timeout();
        Ec2ClientBuilder b = Ec2Client.builder().region(Region.of(region)).credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(attempt).apiCallTimeout(attempt.multipliedBy(4)));
        if (config.ec2Endpoint() != null) {
            b.endpointOverride(config.ec2Endpoint());
        }
        return b.build();
    }
}
