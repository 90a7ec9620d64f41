package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reaches a protected Prometheus the ways remote write does: bearer-token file, basic auth
 * with a password file, TLS with a CA, mutual TLS, skip-verify, and extra headers (real TLS, a real
 * Prometheus behind an HTTPS proxy that checks credentials).
 */
class PrometheusAuthIT {
    @TempDir
    static Path dir;
    static PrometheusProcess prometheus;
    static TestCertificates certs;

    @BeforeAll
    static void start() throws Exception {
        Path om = Files.writeString(dir.resolve("history.om"), Scenario2048.openMetrics(), StandardCharsets.UTF_8);
        prometheus = PrometheusProcess.startWithHistory(om);
        certs = TestCertificates.create(Files.createDirectories(dir.resolve("certs")));
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static ReportRun run(AuthProxy proxy, String host, String... more) {
        List<String> a = new ArrayList<>(List.of("--prometheus", proxy.url(host).toString(), "--start", "2026-11-30T00:00:00Z",
                "--end", "2026-11-30T03:00:00Z", "--format", "csv"));
        a.addAll(List.of(more));
        return ReportRun.of(a);
    }

    @Test
    void aBearerTokenFromAFile_isSent_andItsAbsenceIsAClearFailure() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
        try (AuthProxy proxy = AuthProxy.start(certs, prometheus.baseUrl(), "Bearer s3cret-token", false)) {
            ReportRun ok = run(proxy, "127.0.0.1", "--tls-ca-file", certs.caCert().toString(), "--bearer-token-file", token.toString());
            assertThat(ok.exitCode()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("shop,cross_zone");
            ReportRun denied = run(proxy, "127.0.0.1", "--tls-ca-file", certs.caCert().toString());
            assertThat(denied.exitCode()).isEqualTo(1);
            assertThat(denied.err()).contains("answered HTTP 401").contains("possible fixes: --bearer-token-file")
                    .doesNotContain("s3cret");
        }
    }

    @Test
    void basicAuth_withAPasswordFile() throws Exception {
        Path password = Files.writeString(dir.resolve("password"), "pa55");
        String expected = "Basic " + Base64.getEncoder().encodeToString("finops:pa55".getBytes(StandardCharsets.UTF_8));
        try (AuthProxy proxy = AuthProxy.start(certs, prometheus.baseUrl(), expected, false)) {
            ReportRun ok = run(proxy, "localhost", "--tls-ca-file", certs.caCert().toString(),
                    "--basic-auth-username", "finops", "--basic-auth-password-file", password.toString());
            assertThat(ok.exitCode()).as(ok.err()).isZero();
        }
    }

    @Test
    void mutualTls_withAClientCertificate() throws Exception {
        try (AuthProxy proxy = AuthProxy.start(certs, prometheus.baseUrl(), null, true)) {
            ReportRun ok = run(proxy, "127.0.0.1", "--tls-ca-file", certs.caCert().toString(),
                    "--tls-cert-file", certs.clientCert().toString(), "--tls-key-file", certs.clientKey().toString());
            assertThat(ok.exitCode()).as(ok.err()).isZero();
            ReportRun noCert = run(proxy, "127.0.0.1", "--tls-ca-file", certs.caCert().toString());
            assertThat(noCert.exitCode()).isEqualTo(1);
            assertThat(noCert.err()).contains("Prometheus at https://127.0.0.1:");
        }
    }

    @Test
    void anUntrustedServerCertificate_fails_unlessSkipVerifyIsAskedFor() throws Exception {
        try (AuthProxy proxy = AuthProxy.start(certs, prometheus.baseUrl(), null, false)) {
            ReportRun untrusted = run(proxy, "127.0.0.1");
            assertThat(untrusted.exitCode()).isEqualTo(1);
            assertThat(untrusted.err()).contains("TLS with Prometheus at https://127.0.0.1:").contains("--tls-ca-file");
            ReportRun skip = run(proxy, "127.0.0.1", "--tls-insecure-skip-verify");
            assertThat(skip.exitCode()).as(skip.err()).isZero();
        }
    }

    @Test
    void extraHeaders_reachTheServer() throws Exception {
        try (AuthProxy proxy = AuthProxy.start(certs, prometheus.baseUrl(), null, false)) {
            ReportRun ok = run(proxy, "127.0.0.1", "--tls-ca-file", certs.caCert().toString(), "--header", "X-Scope-OrgID=tenant-1");
            assertThat(ok.exitCode()).as(ok.err()).isZero();
            assertThat(proxy.seenHeaders()).contains("X-scope-orgid: tenant-1");
        }
    }
}
