package dev.netcost.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * An independent SigV4 check in front of a receiver: {@code sigv4/verifying_receiver.py} run by
 * Debian's {@code /usr/bin/python3} with {@code python3-botocore}. Requests whose signature botocore
 * recomputes identically are forwarded to the upstream remote-write URL, or, for a verifier in front of
 * a query API, to the same path under the upstream Prometheus; all others get 403, as Amazon Managed
 * Prometheus answers. Stopped through its own {@link Process} handle.
 */
public final class SigV4Verifier implements AutoCloseable {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the verifier judged it ({@code path} with its query string). */
    public record Verdict(boolean ok, String accessKeyId, String reason, int status, String method, String path) {
    }

    private static final String WORKSPACE = "/workspaces/ws-netcost-test";

    private final Process process;
    private final Path dir;
    private final Path keys;
    private final Path log;
    private final int port;
    private final ObjectNode keyTable = JSON.createObjectNode();

    private SigV4Verifier(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.keys = dir.resolve("keys.json");
        this.log = dir.resolve("requests.jsonl");
        this.port = port;
    }

    /** Starts the verifier for {@code region}/{@code service}, forwarding to {@code upstream}. */
    public static SigV4Verifier start(Path dir, URI upstream, String region, String service) throws IOException {
        return start(dir, region, service, List.of("--upstream", upstream.toString()));
    }

    /**
     * Starts the verifier for {@code region}/{@code service} in front of the query API of the Prometheus
     * at {@code prometheus}: {@link #workspaceUrl()}{@code /api/v1/query_range?...} is forwarded to
     * {@code prometheus/api/v1/query_range?...} once it verifies.
     */
    public static SigV4Verifier startInFrontOfQueryApi(Path dir, URI prometheus, String region, String service)
            throws IOException {
        return start(dir, region, service, List.of("--query-upstream", prometheus.toString()));
    }

    private static SigV4Verifier start(Path dir, String region, String service, List<String> upstream)
            throws IOException {
        if (!Files.isExecutable(PYTHON)) {
            throw new IllegalStateException(PYTHON + " is missing; possible fixes: bash scripts/install-deps.sh"
                    + " (installs python3-botocore)");
        }
        Path script = dir.resolve("verifying_receiver.py");
        try (InputStream in = SigV4Verifier.class.getResourceAsStream("/sigv4/verifying_receiver.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve("keys.json"), "{}");
        Path portFile = dir.resolve("port");
        Path out = dir.resolve("verifier.log");
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script.toString(), "--keys",
                dir.resolve("keys.json").toString(), "--region", region, "--service", service,
                "--port-file", portFile.toString(), "--log", dir.resolve("requests.jsonl").toString()));
        cmd.addAll(upstream);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Awaitility.await("the SigV4 verifier's port file").atMost(Duration.ofSeconds(30))
                    .until(() -> Files.exists(portFile) || !p.isAlive());
        } catch (ConditionTimeoutException e) {
            p.destroyForcibly();
            throw e;
        }
        if (!Files.exists(portFile)) {
            throw new IllegalStateException("the SigV4 verifier exited (is python3-botocore installed? bash"
                    + " scripts/install-deps.sh):\n" + Files.readString(out));
        }
        return new SigV4Verifier(p, dir, Integer.parseInt(Files.readString(portFile).trim()));
    }

    /** The URL to send to, with an AMP-like path. */
    public URI url() {
        return URI.create(workspaceUrl() + "/api/v1/remote_write");
    }

    /** The workspace's base URL, as Amazon Managed Prometheus's query API is given to a client. */
    public URI workspaceUrl() {
        return URI.create("http://127.0.0.1:" + port + WORKSPACE);
    }

    /** Accepts signatures made with this key from now on. */
    public void allow(String accessKeyId, String secret, String sessionToken) {
        allow(accessKeyId, secret, sessionToken, null);
    }

    /** Accepts signatures made with this key from now on, until {@code expires} (null: for ever). */
    public synchronized void allow(String accessKeyId, String secret, String sessionToken, Instant expires) {
        ObjectNode k = keyTable.putObject(accessKeyId).put("secret", secret);
        if (sessionToken != null) {
            k.put("token", sessionToken);
        }
        if (expires != null) {
            k.put("expires", expires.getEpochSecond());
        }
        try {
            Path tmp = dir.resolve("keys.json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(keyTable));
            Files.move(tmp, keys, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every request judged so far, in order. */
    public List<Verdict> verdicts() {
        List<Verdict> out = new ArrayList<>();
        try {
            if (!Files.exists(log)) {
                return out;
            }
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = JSON.readTree(line);
                out.add(new Verdict(n.path("ok").asBoolean(), n.path("accessKeyId").asText(null),
                        n.path("reason").asText(null), n.path("status").asInt(), n.path("method").asText(null),
                        n.path("path").asText(null)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
