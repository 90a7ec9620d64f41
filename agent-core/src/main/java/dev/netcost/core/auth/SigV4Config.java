package dev.netcost.core.auth;

import java.util.Objects;

/**
 * AWS Signature Version 4 for one HTTP endpoint, e.g. an Amazon Managed Prometheus workspace
 * ({@code remoteWrite[].sigv4}).
 *
 * @param region  the AWS region the endpoint is in and the signature is scoped to, e.g. {@code us-east-2}
 * @param service the signing name of the service (default {@value #DEFAULT_SERVICE}, Amazon Managed Prometheus)
 * @param roleArn a role to assume through STS with the ambient credentials, or null to sign with them directly
 */
public record SigV4Config(String region, String service, String roleArn) {
    public static final String DEFAULT_SERVICE = "aps";

    public SigV4Config {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(service, "service");
    }
}
