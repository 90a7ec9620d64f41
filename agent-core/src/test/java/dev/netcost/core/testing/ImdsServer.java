package dev.netcost.core.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The EC2 instance metadata service on 127.0.0.1, IMDSv2 only, as an instance answers it:
 * {@code PUT /latest/api/token} with {@code X-aws-ec2-metadata-token-ttl-seconds} (1–21600, else 400)
 * returns a token; {@code GET /latest/meta-data/<path>} answers 401 without a valid, unexpired token
 * ({@code X-aws-ec2-metadata-token}), 404 for an unknown path, else the item as text.
 */
public final class ImdsServer extends LocalAwsServer {
    private final Map<String, String> items = new ConcurrentHashMap<>();
    private final Map<String, Long> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private volatile int failStatus;
    private volatile Duration hang = Duration.ZERO;

    /** An instance in {@code zone} of us-east-2 with one interface in {@code vpcCidr} and {@code subnetCidr}. */
    public ImdsServer instance(String instanceId, String zone, String zoneId, String vpcId, String vpcCidrs,
                               String subnetCidr) {
        String mac = "0e:49:61:0f:c3:11";
        String nic = "network/interfaces/macs/" + mac + "/";
        items.put("placement/region", zone.substring(0, zone.length() - 1));
        items.put("placement/availability-zone", zone);
        items.put("placement/availability-zone-id", zoneId);
        items.put("instance-id", instanceId);
        items.put("instance-type", "m6i.large");
        items.put("mac", mac);
        items.put(nic + "vpc-id", vpcId);
        items.put(nic + "vpc-ipv4-cidr-blocks", vpcCidrs);
        items.put(nic + "subnet-id", "subnet-0self");
        items.put(nic + "subnet-ipv4-cidr-block", subnetCidr);
        return this;
    }

    /** An instance profile: the role's temporary credentials, as IMDS serves them to the SDK. */
    public ImdsServer instanceProfile(String role, String accessKeyId) {
        items.put("iam/security-credentials/", role);
        items.put("iam/security-credentials/" + role, """
                {"Code": "Success", "LastUpdated": "%s", "Type": "AWS-HMAC", "AccessKeyId": "%s",
                 "SecretAccessKey": "instance-profile-secret", "Token": "instance-profile-token", "Expiration": "%s"}
                """.formatted(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), accessKeyId,
                java.time.Instant.now().plusSeconds(6 * 3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        return this;
    }

    public void put(String path, String value) {
        items.put(path, value);
    }

    /** Every request fails with {@code status} (0: normal service again). */
    public void fail(int status) {
        failStatus = status;
    }

    /** Every request is answered only after {@code d}, as with an IMDS hop limit of 1 seen from a pod. */
    public void hang(Duration d) {
        hang = d;
    }

    /** Invalidates every token handed out (as when it expires): the next GET gets 401. */
    public void revokeTokens() {
        tokens.clear();
    }

    public int tokenRequests() {
        return tokenRequests.get();
    }

    public int unauthorizedAnswers() {
        return unauthorized.get();
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        if (!hang.isZero()) {
            try {
                Thread.sleep(hang.toMillis()); // the client's timeout is what is tested
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (failStatus != 0) {
            reply(ex, failStatus, "text/plain", "");
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (path.equals("/latest/api/token")) {
            if (!ex.getRequestMethod().equals("PUT")) {
                reply(ex, 405, "text/plain", "");
                return;
            }
            String ttl = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds");
            int seconds;
            try {
                seconds = ttl == null ? -1 : Integer.parseInt(ttl);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 1 || seconds > 21600) {
                reply(ex, 400, "text/plain", "");
                return;
            }
            tokenRequests.incrementAndGet();
            String token = "AQAEA" + UUID.randomUUID().toString().replace("-", "");
            tokens.put(token, System.currentTimeMillis() + seconds * 1000L);
            ex.getResponseHeaders().set("X-aws-ec2-metadata-token-ttl-seconds", Integer.toString(seconds));
            reply(ex, 200, "text/plain", token);
            return;
        }
        if (!path.startsWith("/latest/meta-data/") || !ex.getRequestMethod().equals("GET")) {
            reply(ex, 404, "text/plain", "");
            return;
        }
        String token = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
        Long expires = token == null ? null : tokens.get(token);
        if (expires == null || expires < System.currentTimeMillis()) {
            unauthorized.incrementAndGet();
            reply(ex, 401, "text/plain", "");
            return;
        }
        String v = items.get(path.substring("/latest/meta-data/".length()));
        if (v == null) {
            reply(ex, 404, "text/html", "<?xml version=\"1.0\"?><html><body><h1>404 - Not Found</h1></body></html>");
            return;
        }
        reply(ex, 200, "text/plain", v);
    }
}
