package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.auth.SigV4Config;
import dev.netcost.report.measure.Grouping;
import dev.netcost.report.output.ReportFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportOptionsTest {
    @TempDir
    Path dir;

    @Test
    void theIssuesCommandLine_parses_withItsDefaults() throws Exception {
        ReportOptions o = ReportOptions.parse(List.of("--prometheus", "http://127.0.0.1:9090", "--start",
                "2026-11-30T00:00:00Z", "--end", "2026-12-01T00:00:00Z"));
        assertThat(o.window().start()).isEqualTo(Instant.parse("2026-11-30T00:00:00Z"));
        assertThat(o.window().hours()).isEqualTo(24);
        assertThat(o.grouping()).isEqualTo(new Grouping(Grouping.Kind.NAMESPACE, ""));
        assertThat(o.format()).isEqualTo(ReportFormat.TABLE);
        assertThat(o.out()).isNull();
        assertThat(o.cur()).isEmpty();
        assertThat(o.precision()).isEqualTo(2);
        assertThat(o.chunk()).isEqualTo(Duration.ofHours(24));
        assertThat(o.prometheus().timeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void everyOption_parses_inBothSpellings() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        ReportOptions o = ReportOptions.parse(List.of("--prometheus=https://prom.example/prometheus", "--start", "2026-11-30",
                "--end=2026-12-01T00:00:00+00:00", "--cur", "a.csv", "--cur", "dir", "--by", "label:app.kubernetes.io/name",
                "--format", "html", "--out", "r.html", "--cluster", "prod", "--precision", "4", "--chunk", "6h",
                "--timeout", "30s", "--bearer-token-file", token.toString(), "--header", "X-Scope-OrgID=t1",
                "--tls-insecure-skip-verify", "--no-progress"));
        assertThat(o.window().hours()).isEqualTo(24);
        assertThat(o.cur()).containsExactly(Path.of("a.csv"), Path.of("dir"));
        assertThat(o.grouping()).isEqualTo(new Grouping(Grouping.Kind.LABEL, "app.kubernetes.io/name"));
        assertThat(o.format()).isEqualTo(ReportFormat.HTML);
        assertThat(o.out()).isEqualTo(Path.of("r.html"));
        assertThat(o.cluster()).isEqualTo("prod");
        assertThat(o.precision()).isEqualTo(4);
        assertThat(o.chunk()).isEqualTo(Duration.ofHours(6));
        assertThat(o.prometheus().headers()).containsEntry("X-Scope-OrgID", "t1");
        assertThat(o.prometheus().bearerTokenFile()).isEqualTo(token);
        assertThat(o.prometheus().insecureSkipVerify()).isTrue();
        assertThat(o.progress()).isFalse();
    }

    @Test
    void everyProblem_isListedAtOnce() {
        assertThatThrownBy(() -> ReportOptions.parse(List.of("--prometheus", "ftp://x", "--start", "2026-11-30T00:30:00Z",
                "--end", "yesterday", "--by", "team", "--format", "pdf", "--precision", "11", "--chunk", "90m",
                "--basic-auth-username", "u", "--tls-cert-file", dir.resolve("missing.pem").toString(), "--frobnicate")))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("unknown option '--frobnicate'")
                .hasMessageContaining("--prometheus 'ftp://x': use an http:// or https:// URL")
                .hasMessageContaining("--start 2026-11-30T00:30:00Z: use a whole hour")
                .hasMessageContaining("--end 'yesterday': use RFC 3339")
                .hasMessageContaining("--by 'team': use namespace, workload or label:KEY")
                .hasMessageContaining("--format 'pdf'")
                .hasMessageContaining("--precision 11: use 0 to 10")
                .hasMessageContaining("--chunk 90m: use whole hours")
                .hasMessageContaining("--basic-auth-username needs --basic-auth-password-file")
                .hasMessageContaining("--tls-cert-file " + dir.resolve("missing.pem") + ": not a readable file")
                .hasMessageContaining("--tls-cert-file and --tls-key-file go together");
    }

    @Test
    void startAfterEnd_isBadInput() {
        assertThatThrownBy(() -> ReportOptions.parse(List.of("--prometheus", "http://p:9090", "--start",
                "2026-12-01T00:00:00Z", "--end", "2026-11-30T00:00:00Z")))
                .hasMessageContaining("--start 2026-12-01T00:00:00Z is not before --end 2026-11-30T00:00:00Z");
    }

    @Test
    void requiredOptions_areNamed() {
        assertThatThrownBy(() -> ReportOptions.parse(List.of()))
                .hasMessageContaining("--prometheus is required")
                .hasMessageContaining("--start is required")
                .hasMessageContaining("--end is required");
    }

    @Test
    void anAuthorizationHeader_isRefused_becauseSecretsBelongInFiles() {
        assertThatThrownBy(() -> ReportOptions.parse(List.of("--prometheus", "http://p:9090", "--start", "2026-11-30",
                "--end", "2026-12-01", "--header", "authorization=Bearer x")))
                .hasMessageContaining("--header Authorization");
    }

    private static final List<String> AMP = List.of("--prometheus",
            "https://aps-workspaces.us-east-2.amazonaws.com/workspaces/ws-1234", "--start", "2026-11-30", "--end", "2026-12-01");

    private static List<String> amp(String... more) {
        List<String> a = new java.util.ArrayList<>(AMP);
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void sigv4Region_signsForAmp_withServiceApsAndNoRole_byDefault() throws Exception {
        ReportOptions o = ReportOptions.parse(amp("--sigv4-region", "us-east-2"));
        assertThat(o.prometheus().sigv4()).isEqualTo(new SigV4Config("us-east-2", "aps", null));
        assertThat(ReportOptions.parse(AMP).prometheus().sigv4()).isNull();
    }

    @Test
    void sigv4ServiceAndRoleArn_parse_inBothSpellings() throws Exception {
        ReportOptions o = ReportOptions.parse(amp("--sigv4-region=us-east-2", "--sigv4-service", "aps",
                "--sigv4-role-arn=arn:aws:iam::123456789012:role/finops-reader"));
        assertThat(o.prometheus().sigv4()).isEqualTo(new SigV4Config("us-east-2", "aps",
                "arn:aws:iam::123456789012:role/finops-reader"));
    }

    @Test
    void sigv4WithBearerTokenOrBasicAuth_isBadInput_namingBoth() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        assertThatThrownBy(() -> ReportOptions.parse(amp("--sigv4-region", "us-east-2", "--bearer-token-file",
                token.toString())))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessage("use either --sigv4-region or --bearer-token-file, not both (SigV4 writes the"
                        + " Authorization header itself)");
        assertThatThrownBy(() -> ReportOptions.parse(amp("--sigv4-region", "us-east-2", "--basic-auth-username", "u",
                "--basic-auth-password-file", token.toString())))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("use either --sigv4-region or --basic-auth-username, not both");
    }

    @Test
    void everySigv4Problem_isListedAtOnce() {
        assertThatThrownBy(() -> ReportOptions.parse(amp("--sigv4-region", "Ohio", "--sigv4-service", "APS!",
                "--sigv4-role-arn", "finops-reader", "--header", "X-Amz-Date=20261130T000000Z")))
                .isInstanceOfSatisfying(ReportException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessageContaining("--sigv4-region must be an AWS region such as us-east-2, got 'Ohio'")
                .hasMessageContaining("--sigv4-service must be an AWS signing name such as aps, got 'APS!'")
                .hasMessageContaining("--sigv4-role-arn must be an IAM role ARN such as"
                        + " arn:aws:iam::123456789012:role/netcost-amp-writer, got 'finops-reader'")
                .hasMessageContaining("--header X-Amz-Date: set by SigV4 signing");
    }

    @Test
    void sigv4ServiceOrRoleWithoutARegion_isBadInput() {
        assertThatThrownBy(() -> ReportOptions.parse(amp("--sigv4-service", "aps", "--sigv4-role-arn",
                "arn:aws:iam::123456789012:role/finops-reader")))
                .hasMessageContaining("--sigv4-service needs --sigv4-region")
                .hasMessageContaining("--sigv4-role-arn needs --sigv4-region");
    }

    @Test
    void aRegionOtherThanTheWorkspaceUrls_isBadInput() {
        assertThatThrownBy(() -> ReportOptions.parse(amp("--sigv4-region", "us-east-1")))
                .hasMessage("--sigv4-region is 'us-east-1' but the URL is an Amazon Managed Prometheus workspace in"
                        + " 'us-east-2'; the signature must be scoped to the workspace's region");
    }
}
