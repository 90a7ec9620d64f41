package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.testing.LocalContainerCredentials;
import dev.netcost.core.testing.LocalSts;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.SigV4Verifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent jar as a real process, signing remote write for an AMP-like endpoint with credentials the
 * AWS SDK's default chain finds in the environment the test gives it (IRSA web identity, EKS Pod
 * Identity, static keys with an assumed role), all served locally. botocore verifies every request
 * before it reaches a real Prometheus. No AWS endpoint and no instance metadata is ever contacted:
 * STS and the credentials endpoint are overridden, IMDS is disabled.
 */
class SigV4ProcessIT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/netcost-amp-writer";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /**
     * Credentials that are due for refresh as soon as they are issued (the SDK refreshes STS credentials
     * from 5 minutes, container credentials from 15 minutes, before they expire, at a jittered time) and
     * unusable after 70 s: the verifier refuses an expired key, so every request must carry fresh ones.
     */
    private static final Duration SHORT_LIVED = Duration.ofSeconds(70);

    @TempDir
    Path tmp;

    private PrometheusProcess prom;
    private SigV4Verifier verifier;
    private Process agent;

    @BeforeEach
    void start() throws IOException {
        prom = PrometheusProcess.start();
        Path dir = Files.createDirectory(tmp.resolve("verifier"));
        verifier = SigV4Verifier.start(dir, prom.remoteWriteUrl(), "us-east-2", "aps");
    }

    @AfterEach
    void stop(TestInfo test) throws Exception {
        if (agent != null) {
            agent.destroy();
            if (!agent.waitFor(15, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
            // Kept for reading after a failure: the temp directory goes away.
            Files.copy(tmp.resolve("agent.log"), Path.of("target", "SigV4ProcessIT-"
                    + test.getTestMethod().orElseThrow().getName() + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
        verifier.close();
        prom.close();
    }

    /** What every run gets: a region, no IMDS, no shared config or credentials files. */
    private Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "AWS_REGION", "us-east-2",
                "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_CONFIG_FILE", tmp.resolve("no-aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-aws-credentials").toString(),
                // SDK debug lines say when credentials are refreshed, for reading the copied log after a failure.
                "JAVA_TOOL_OPTIONS", "-Dorg.slf4j.simpleLogger.log.software.amazon.awssdk.utils.cache=debug"));
        env.putAll(extra);
        return env;
    }

    private void startAgent(Map<String, String> env, String roleArn) throws IOException {
        Path cfg = tmp.resolve("netcost.yaml");
        Files.writeString(cfg, """
                nodeName: sigv4-it
                interval: 1s
                exporterTimeout: 500ms
                kubernetes: {enabled: false}
                debug: {listen: "127.0.0.1:0"}
                dataDir: %s
                remoteWrite:
                  - name: amp
                    url: %s
                    queue: {minBackoff: 10ms, maxBackoff: 200ms}
                    sigv4:
                      region: us-east-2
                %s""".formatted(tmp.resolve("data"), verifier.url(), roleArn == null ? "" : "      roleArn: " + roleArn + "\n"));
        agent = AgentJar.start(tmp.resolve("agent.log"), env, "node", "--config", cfg.toString());
    }

    private String log() {
        try {
            return Files.readString(tmp.resolve("agent.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Supplier<String> fileContents(Path file) {
        return () -> {
            try {
                return Files.readString(file).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** Samples arrived in Prometheus through the verifier, and no request was ever refused. */
    private void assertDeliveredAndAllVerified() {
        List<QueriedSeries> info = prom.queries().awaitQuery("netcost_agent_info{node=\"sigv4-it\"}", r -> r.size() == 1);
        assertThat(info).hasSize(1);
        assertThat(verifier.verdicts()).isNotEmpty()
                .allSatisfy(v -> assertThat(v.ok()).as("%s (agent log:%n%s)", v.reason(), log()).isTrue());
    }

    private boolean verifiedWith(String accessKeyId) {
        return verifier.verdicts().stream().anyMatch(v -> v.ok() && Objects.equals(v.accessKeyId(), accessKeyId));
    }

    /**
     * Waits until a credentials server issued a key for a call presenting {@code token}, and until a
     * request signed with that key was verified; returns the key id.
     */
    private <C> String awaitSigningWithKeyIssuedFor(String token, Supplier<List<C>> calls,
            Function<C, String> presented, Function<C, String> issued) {
        Supplier<Optional<String>> key = () -> calls.get().stream()
                .filter(c -> token.equals(presented.apply(c)) && issued.apply(c) != null).map(issued).findFirst();
        await().atMost(WAIT).until(() -> key.get().isPresent());
        await().atMost(WAIT).until(() -> verifiedWith(key.get().orElseThrow()));
        return key.get().orElseThrow();
    }

    @Test
    void irsaWebIdentity_signsWithStsCredentials_andRefreshesThemWithTheRotatedTokenBeforeTheyExpire()
            throws Exception {
        Path token = tmp.resolve("eks.amazonaws.com-serviceaccount-token");
        Files.writeString(token, "projected-token-1");
        try (LocalSts sts = LocalSts.start(SHORT_LIVED, fileContents(token),
                i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            startAgent(env(Map.of("AWS_ROLE_ARN", ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                    "AWS_ENDPOINT_URL_STS", sts.url().toString())), null);

            awaitSigningWithKeyIssuedFor("projected-token-1", sts::calls, LocalSts.Call::webIdentityToken,
                    LocalSts.Call::accessKeyIdIssued);
            LocalSts.Call first = sts.calls().get(0);
            assertThat(first.action()).isEqualTo("AssumeRoleWithWebIdentity");
            assertThat(first.roleArn()).isEqualTo(ROLE);

            Files.writeString(token, "projected-token-2"); // the kubelet rotates the projected token
            awaitSigningWithKeyIssuedFor("projected-token-2", sts::calls, LocalSts.Call::webIdentityToken,
                    LocalSts.Call::accessKeyIdIssued);
            assertDeliveredAndAllVerified();
            assertThat(agent.isAlive()).isTrue();
        }
    }

    @Test
    void eksPodIdentity_signsWithContainerCredentials_sendingTheTokenFile_andRefreshesBeforeExpiry()
            throws Exception {
        Path token = tmp.resolve("eks-pod-identity-token");
        Files.writeString(token, "pod-identity-token-1");
        try (LocalContainerCredentials creds = LocalContainerCredentials.start(SHORT_LIVED,
                fileContents(token), i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            startAgent(env(Map.of("AWS_CONTAINER_CREDENTIALS_FULL_URI", creds.url().toString(),
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token.toString())), null);

            awaitSigningWithKeyIssuedFor("pod-identity-token-1", creds::calls, LocalContainerCredentials.Call::authorization,
                    LocalContainerCredentials.Call::accessKeyIdIssued);
            Files.writeString(token, "pod-identity-token-2");
            awaitSigningWithKeyIssuedFor("pod-identity-token-2", creds::calls, LocalContainerCredentials.Call::authorization,
                    LocalContainerCredentials.Call::accessKeyIdIssued);
            assertDeliveredAndAllVerified();
        }
    }

    @Test
    void roleArn_assumesTheRoleWithTheAmbientCredentials_andSignsOnlyWithTheRolesCredentials() throws Exception {
        try (LocalSts sts = LocalSts.start(Duration.ofHours(1), null,
                i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            // The verifier does not know the ambient key: a request signed with it would get 403.
            startAgent(env(Map.of("AWS_ACCESS_KEY_ID", "AKIAAMBIENT00000001", "AWS_SECRET_ACCESS_KEY", "ambient-secret",
                    "AWS_ENDPOINT_URL_STS", sts.url().toString())), ROLE);

            await().atMost(WAIT).until(() -> sts.calls().stream().anyMatch(c -> c.accessKeyIdIssued() != null));
            LocalSts.Call call = sts.calls().get(0);
            assertThat(call.action()).isEqualTo("AssumeRole");
            assertThat(call.roleArn()).isEqualTo(ROLE);
            assertThat(call.roleSessionName()).isEqualTo("netcost-sigv4-it");
            await().atMost(WAIT).until(() -> verifiedWith(call.accessKeyIdIssued()));
            assertDeliveredAndAllVerified();
        }
    }

    @Test
    void noCredentialsAnywhere_isLoggedWithWhereTheyWereSought_andRetried_withoutStoppingTheAgent() throws Exception {
        startAgent(env(Map.of()), null);
        await().atMost(WAIT).until(() -> log().contains("cannot get AWS credentials for SigV4 from the AWS SDK's"
                + " default credential chain"));
        assertThat(log()).contains("remote-write amp:").contains("retrying").contains("possible fixes");
        assertThat(agent.isAlive()).isTrue();
        assertThat(verifier.verdicts()).isEmpty();
    }
}
