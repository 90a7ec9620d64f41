package dev.netcost.core.auth;

import java.net.URI;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS Signature Version 4 for one HTTP endpoint, e.g. an Amazon Managed Prometheus workspace
 * ({@code remoteWrite[].sigv4}, {@code netcost report --sigv4-region}).
 *
 * @param region  the AWS region the endpoint is in and the signature is scoped to, e.g. {@code us-east-2}
 * @param service the signing name of the service (default {@value #DEFAULT_SERVICE}, Amazon Managed Prometheus)
 * @param roleArn a role to assume through STS with the ambient credentials, or null to sign with them directly
 */
public record SigV4Config(String region, String service, String roleArn) {
    public static final String DEFAULT_SERVICE = "aps";

    private static final Pattern AMP_HOST = Pattern.compile("aps-workspaces\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z0-9]+)+");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+");

    public SigV4Config {
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(service, "service");
    }

    /** How the caller names the three settings in its messages: configuration keys or command-line options. */
    public record Names(String region, String service, String roleArn) {
    }

    /**
     * Checks the three settings as the user gave them and returns the config, or null when one is
     * invalid; every problem goes to {@code error} as (the setting's name from {@code names}, problem).
     *
     * @param region  required
     * @param service null or blank for {@value #DEFAULT_SERVICE}
     * @param roleArn null or blank for none
     */
    public static SigV4Config parse(String region, String service, String roleArn, Names names,
            BiConsumer<String, String> error) {
        boolean ok = true;
        String r = region == null ? "" : region.trim();
        if (r.isEmpty()) {
            error.accept(names.region(), "is required");
            ok = false;
        } else if (!REGION.matcher(r).matches()) {
            error.accept(names.region(), "must be an AWS region such as us-east-2, got '" + region + "'");
            ok = false;
        }
        String s = service == null || service.isBlank() ? DEFAULT_SERVICE : service.trim();
        if (!SERVICE.matcher(s).matches()) {
            error.accept(names.service(), "must be an AWS signing name such as aps, got '" + service + "'");
            ok = false;
        }
        String role = roleArn == null ? "" : roleArn.trim();
        if (!role.isEmpty() && !ROLE_ARN.matcher(role).matches()) {
            error.accept(names.roleArn(), "must be an IAM role ARN such as arn:aws:iam::123456789012:role/netcost-amp-writer,"
                    + " got '" + roleArn + "'");
            ok = false;
        }
        return ok ? new SigV4Config(r, s, role.isEmpty() ? null : role) : null;
    }

    /**
     * Why this config cannot sign for {@code url}, or null: an Amazon Managed Prometheus workspace URL
     * names its region, and a signature scoped to another one is always refused.
     */
    public String problemWith(URI url) {
        String host = url == null ? null : url.getHost();
        if (host == null) {
            return null;
        }
        Matcher m = AMP_HOST.matcher(host);
        if (m.matches() && !m.group(1).equals(region)) {
            return "is '" + region + "' but the URL is an Amazon Managed Prometheus workspace in '" + m.group(1)
                    + "'; the signature must be scoped to the workspace's region";
        }
        return null;
    }
}
