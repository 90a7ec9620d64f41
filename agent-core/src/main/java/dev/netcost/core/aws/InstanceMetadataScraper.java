package dev.netcost.core.aws;

import dev.netcost.core.k8s.Cidr;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * Reads this instance's identity and network from the EC2 instance metadata service, IMDSv2 only: a
 * session token from {@code PUT /latest/api/token} (with {@code X-aws-ec2-metadata-token-ttl-seconds}),
 * then {@code GET /latest/meta-data/...} with {@code X-aws-ec2-metadata-token}. The token is kept until
 * a minute before it expires; a 401 (expired or revoked token) fetches a new one and retries once.
 *
 * <p>The IMDS hop limit: a PUT from inside a pod's network namespace needs a hop limit of 2; with the
 * common limit 1 the token never comes back and the call times out after {@code aws.timeout}. The
 * DaemonSet runs with {@code hostNetwork: true}, which avoids it.
 */
public final class InstanceMetadataScraper {
    static final String TOKEN_PATH = "/latest/api/token";
    static final String META = "/latest/meta-data/";
    static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
    static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";
    private static final Duration TOKEN_TTL = Duration.ofHours(6);
    private static final int MAX_BODY = 64 * 1024;

    private final URI endpoint;
    private final SdkHttpClient http;
    private final Clock clock;
    private String token;
    private long tokenExpiresMillis;

    /** @param endpoint {@code aws.imdsEndpoint}, e.g. {@code http://169.254.169.254} */
    public InstanceMetadataScraper(URI endpoint, SdkHttpClient http, Clock clock) {
        String e = Objects.requireNonNull(endpoint, "endpoint").toString();
        this.endpoint = URI.create(e.endsWith("/") ? e.substring(0, e.length() - 1) : e);
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Every field of {@link InstanceIdentity}; throws when IMDS cannot be reached or answers an error. */
    public synchronized InstanceIdentity scrape() throws IOException {
        String mac = required("mac");
        String nic = "network/interfaces/macs/" + mac + "/";
        List<Cidr> vpc = new ArrayList<>(cidrs(get(nic + "vpc-ipv4-cidr-blocks")));
        vpc.addAll(cidrs(get(nic + "vpc-ipv6-cidr-blocks")));
        List<Cidr> subnet = new ArrayList<>(cidrs(get(nic + "subnet-ipv4-cidr-block")));
        subnet.addAll(cidrs(get(nic + "subnet-ipv6-cidr-blocks")));
        return new InstanceIdentity(required("placement/region"), required("placement/availability-zone"),
                orEmpty(get("placement/availability-zone-id")), required("instance-id"),
                orEmpty(get("instance-type")), orEmpty(get(nic + "vpc-id")), vpc, orEmpty(get(nic + "subnet-id")), subnet);
    }

    private String required(String path) throws IOException {
        String v = get(path);
        if (v == null || v.isEmpty()) {
            throw new IOException("IMDS has no " + META + path);
        }
        return v;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** One metadata item, trimmed; null when IMDS answers 404 (the item does not exist here). */
    // VisibleForTesting
    String get(String path) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String t = token();
            Answer a = call(SdkHttpMethod.GET, META + path, TOKEN_HEADER, t);
            if (a.status() == 200) {
                return a.body().trim();
            }
            if (a.status() == 404) {
                return null;
            }
            if (a.status() == 401 && attempt == 0) {
                token = null; // expired or revoked: one new token, one retry
                continue;
            }
            throw new IOException("IMDS answered " + a.status() + " to GET " + META + path);
        }
    }

    private String token() throws IOException {
        long now = clock.millis();
        if (token == null || now >= tokenExpiresMillis) {
            Answer a = call(SdkHttpMethod.PUT, TOKEN_PATH, TTL_HEADER, Long.toString(TOKEN_TTL.toSeconds()));
            if (a.status() != 200 || a.body().isBlank()) {
                throw new IOException("IMDS answered " + a.status() + " to the IMDSv2 token request (possible fixes:"
                        + " check aws.imdsEndpoint; inside a pod network namespace IMDS needs a hop limit of 2,"
                        + " or run with hostNetwork: true)");
            }
            token = a.body().trim();
            tokenExpiresMillis = now + TOKEN_TTL.toMillis() - Duration.ofMinutes(1).toMillis();
        }
        return token;
    }

    private record Answer(int status, String body) {
    }

    private Answer call(SdkHttpMethod method, String path, String header, String value) throws IOException {
        SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(method).uri(endpoint.resolve(path))
                .putHeader(header, value).build();
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(request).build())
                    .call();
            String body = "";
            if (response.responseBody().isPresent()) {
                try (AbortableInputStream in = response.responseBody().get()) {
                    body = read(in);
                }
            }
            return new Answer(response.httpResponse().statusCode(), body);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String read(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new IOException("IMDS answer larger than " + MAX_BODY + " bytes");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Newline-separated CIDRs; unparsable lines are skipped. */
    private static List<Cidr> cidrs(String text) {
        List<Cidr> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (!l.isEmpty()) {
                try {
                    out.add(Cidr.parse(l));
                } catch (IllegalArgumentException e) {
                    // not a range: ignore it, the rest still classifies
                }
            }
        }
        return out;
    }
}
