package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.LocalSts;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.SigV4Verifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report against an Amazon Managed Prometheus-like query API: botocore (an implementation
 * independent of the AWS SDK for Java) recomputes the SigV4 signature of every query in front of a
 * real Prometheus and answers 403 to any mismatch, as AMP does. The report runs as its shaded jar with
 * credentials only in its environment, found by the AWS SDK's default chain: static keys, an IRSA web
 * identity through a local STS, a role assumed with --sigv4-role-arn, an SSO profile through a local
 * SSO portal. No AWS endpoint and no instance metadata is contacted: STS and SSO are overridden,
 * IMDS is disabled.
 */
class PrometheusSigV4IT {
    private static final String ROLE = "arn:aws:iam::123456789012:role/finops-reader";

    @TempDir
    static Path shared;
    static PrometheusProcess prometheus;
    /** The report's CSV straight from Prometheus, unsigned: what every signed run must print. */
    static String unsigned;

    @TempDir
    Path tmp;
    private SigV4Verifier verifier;

    @BeforeAll
    static void startPrometheus() throws Exception {
        Path om = Files.writeString(shared.resolve("history.om"), Scenario2048.openMetrics(), StandardCharsets.UTF_8);
        prometheus = PrometheusProcess.startWithHistory(om);
        ReportRun direct = ReportRun.of(args(prometheus.baseUrl().toString()));
        assertThat(direct.exitCode()).as(direct.err()).isZero();
        unsigned = direct.out();
        assertThat(unsigned).contains("shop,cross_zone");
    }

    @AfterAll
    static void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    @BeforeEach
    void startVerifier() throws Exception {
        verifier = SigV4Verifier.startInFrontOfQueryApi(Files.createDirectory(tmp.resolve("verifier")),
                prometheus.baseUrl(), "us-east-2", "aps");
    }

    @AfterEach
    void stopVerifier() {
        verifier.close();
    }

    private static List<String> args(String url, String... more) {
        List<String> a = new ArrayList<>(List.of("--prometheus", url, "--start", "2026-11-30T00:00:00Z",
                "--end", "2026-11-30T03:00:00Z", "--format", "csv", "--no-progress"));
        a.addAll(List.of(more));
        return a;
    }

    /** The report, signing for us-east-2, with {@code env} its only AWS settings besides region, no IMDS, no files. */
    private ReportRun report(Map<String, String> env, String... more) throws Exception {
        // A region, always: without one the SDK sends IRSA's STS call to the global endpoint whatever
        // AWS_ENDPOINT_URL_STS says.
        Map<String, String> e = new HashMap<>(Map.of(
                "AWS_REGION", "us-east-2",
                "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_CONFIG_FILE", tmp.resolve("no-aws-config").toString(),
                "AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-aws-credentials").toString()));
        e.putAll(env);
        List<String> a = args(verifier.workspaceUrl().toString(), "--sigv4-region", "us-east-2");
        a.addAll(List.of(more));
        return ReportJar.run(Files.createDirectories(tmp.resolve("home")), e, a);
    }

    /** The signed report printed what the unsigned one did, and every query it sent verified with {@code key}. */
    private void assertEveryQueryVerifiedWith(ReportRun run, String key) {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(unsigned);
        List<SigV4Verifier.Verdict> verdicts = verifier.verdicts();
        assertThat(verdicts).isNotEmpty().allSatisfy(v -> {
            assertThat(v.ok()).as(v.reason()).isTrue();
            assertThat(v.accessKeyId()).isEqualTo(key);
            assertThat(v.status()).isEqualTo(200);
            assertThat(v.method()).isEqualTo("GET");
            assertThat(v.path()).startsWith("/workspaces/ws-netcost-test/api/v1/query_range?query=");
        });
        // PromQL's spaces, braces and quotes are in the signed query string: its encoding was checked too.
        assertThat(verdicts).anySatisfy(v -> assertThat(v.path()).contains("%20").contains("%7B").contains("%22"));
    }

    @Test
    void staticSessionKeys_signEveryQuery_andTheReportIsTheUnsignedOne() throws Exception {
        verifier.allow("ASIASTATIC000000001", "static/secret+key", "static-session-token");
        ReportRun run = report(Map.of("AWS_ACCESS_KEY_ID", "ASIASTATIC000000001",
                "AWS_SECRET_ACCESS_KEY", "static/secret+key", "AWS_SESSION_TOKEN", "static-session-token"));
        assertEveryQueryVerifiedWith(run, "ASIASTATIC000000001");
    }

    @Test
    void irsaWebIdentity_signsWithTheCredentialsStsIssuedForTheProjectedToken() throws Exception {
        Path token = Files.writeString(tmp.resolve("eks.amazonaws.com-serviceaccount-token"), "projected-token-1");
        try (LocalSts sts = LocalSts.start(Duration.ofHours(1), () -> "projected-token-1",
                i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            ReportRun run = report(Map.of("AWS_ROLE_ARN", ROLE, "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                    "AWS_ENDPOINT_URL_STS", sts.url().toString()));
            assertThat(sts.calls()).as(run.err()).singleElement().satisfies(c -> {
                assertThat(c.action()).isEqualTo("AssumeRoleWithWebIdentity");
                assertThat(c.roleArn()).isEqualTo(ROLE);
            });
            assertEveryQueryVerifiedWith(run, sts.calls().get(0).accessKeyIdIssued());
        }
    }

    @Test
    void sigv4RoleArn_assumesTheRoleWithTheAmbientKeys_andSignsOnlyAsTheRole() throws Exception {
        try (LocalSts sts = LocalSts.start(Duration.ofHours(1), null,
                i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            // The verifier does not know the ambient key: a query signed with it would get 403.
            ReportRun run = report(Map.of("AWS_ACCESS_KEY_ID", "AKIAAMBIENT00000001", "AWS_SECRET_ACCESS_KEY",
                    "ambient-secret", "AWS_ENDPOINT_URL_STS", sts.url().toString()),
                    "--sigv4-role-arn", ROLE);
            assertThat(sts.calls()).as(run.err()).singleElement().satisfies(c -> {
                assertThat(c.action()).isEqualTo("AssumeRole");
                assertThat(c.roleArn()).isEqualTo(ROLE);
                assertThat(c.roleSessionName()).isEqualTo("netcost-report");
            });
            assertEveryQueryVerifiedWith(run, sts.calls().get(0).accessKeyIdIssued());
        }
    }

    @Test
    void anSsoProfile_fromAwsSsoLogin_signsWithTheRoleCredentialsOfThePortal() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        // What `aws sso login --profile finops` leaves behind: the profile and the session's cached token.
        Path config = Files.writeString(tmp.resolve("aws-config"), """
                [profile finops]
                sso_session = corp
                sso_account_id = 123456789012
                sso_role_name = FinOpsReader
                region = us-east-2

                [sso-session corp]
                sso_start_url = https://corp.awsapps.com/start
                sso_region = us-east-2
                sso_registration_scopes = sso:account:access
                """);
        Path cache = Files.createDirectories(home.resolve(".aws/sso/cache"));
        String name = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest("corp".getBytes(StandardCharsets.UTF_8)));
        Files.writeString(cache.resolve(name + ".json"), """
                {"startUrl": "https://corp.awsapps.com/start", "region": "us-east-2", "accessToken": "sso-access-token",
                 "expiresAt": "%s", "clientId": "local-client", "clientSecret": "local-secret",
                 "registrationExpiresAt": "%s", "refreshToken": "sso-refresh-token"}
                """.formatted(Instant.now().plus(Duration.ofHours(8)), Instant.now().plus(Duration.ofDays(90))));
        try (LocalSsoPortal portal = LocalSsoPortal.start("sso-access-token",
                i -> verifier.allow(i.accessKeyId(), i.secretAccessKey(), i.sessionToken(), i.expiration()))) {
            ReportRun run = report(Map.of("AWS_PROFILE", "finops", "AWS_CONFIG_FILE", config.toString(),
                    "AWS_ENDPOINT_URL_SSO", portal.url().toString()));
            assertThat(portal.calls()).as(run.err()).singleElement().satisfies(c -> {
                assertThat(c.roleName()).isEqualTo("FinOpsReader");
                assertThat(c.accountId()).isEqualTo("123456789012");
            });
            assertEveryQueryVerifiedWith(run, portal.calls().get(0).accessKeyIdIssued());
        }
    }

    @Test
    void aWrongSecret_gets403_withTheIdentityAndWhatToCheck_andNoQueryIsRetried() throws Exception {
        verifier.allow("ASIAWRONGSECRET0001", "the-real-secret", "tok");
        ReportRun run = report(Map.of("AWS_ACCESS_KEY_ID", "ASIAWRONGSECRET0001", "AWS_SECRET_ACCESS_KEY",
                "not-the-secret", "AWS_SESSION_TOKEN", "tok"));
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("answered HTTP 403").contains("signature we calculated does not match")
                .contains("signed as access key ASIAWRON... from").contains("region us-east-2, service aps")
                .contains("possible fixes: allow aps:QueryMetrics on the workspace")
                .doesNotContain("not-the-secret").doesNotContain("ASIAWRONGSECRET0001");
        assertThat(run.out()).isEmpty();
        List<SigV4Verifier.Verdict> verdicts = verifier.verdicts();
        assertThat(verdicts).isNotEmpty().allSatisfy(v -> {
            assertThat(v.ok()).isFalse();
            assertThat(v.reason()).startsWith("signature mismatch");
        });
        // Two queries are in flight at a time; a 403 is final, so none of them is sent twice.
        assertThat(verdicts).extracting(SigV4Verifier.Verdict::path).doesNotHaveDuplicates();
    }

    @Test
    void noCredentialsAnywhere_isAFailureSayingWhereTheyWereSought_beforeAnyQuery() throws Exception {
        ReportRun run = report(Map.of());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        assertThat(run.err()).contains("cannot get AWS credentials for SigV4 from the AWS SDK's default credential chain")
                .contains("AWS_PROFILE");
        assertThat(verifier.verdicts()).isEmpty();
    }
}
