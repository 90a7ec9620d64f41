package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookCommandTest {
    @TempDir
    Path tmp;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private String err() {
        return cli.err();
    }

    @Test
    void withoutConfig_orWithOnce_isAUsageError() throws Exception {
        assertThat(run("webhook")).isEqualTo(2);
        assertThat(err()).contains("--config FILE is required");
        cli.reset();
        Path cfg = Files.writeString(tmp.resolve("w.yaml"), "kubernetes: {enabled: false}\n");
        assertThat(run("webhook", "--config", cfg.toString(), "--once")).isEqualTo(2);
        assertThat(err()).contains("--once applies to netcost node only");
    }

    @Test
    void withoutCertificateFiles_isAStartupError() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("w.yaml"), """
                kubernetes: {enabled: false}
                debug: {enabled: false}
                webhook: {listen: "127.0.0.1:0"}
                """);
        assertThat(run("webhook", "--config", cfg.toString())).isEqualTo(2);
        assertThat(err()).contains("webhook.tlsCertFile and webhook.tlsKeyFile are required");
    }

    @Test
    void unreadableCertificate_isAStartupError() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("w.yaml"), """
                kubernetes: {enabled: false}
                debug: {enabled: false}
                webhook:
                  listen: "127.0.0.1:0"
                  tlsCertFile: %s
                  tlsKeyFile: %s
                """.formatted(tmp.resolve("missing.crt"), tmp.resolve("missing.key")));
        assertThat(run("webhook", "--config", cfg.toString())).isEqualTo(2);
        assertThat(err()).contains("cannot load the webhook certificate").contains("missing.crt");
    }

    @Test
    void badWebhookSection_listsEveryProblem() throws Exception {
        Path cfg = Files.writeString(tmp.resolve("w.yaml"), """
                webhook:
                  tlsCertFile: /etc/tls/tls.crt
                  workerThreads: 0
                  maxBodyBytes: 10
                  resync: soon
                  labels: {ingress: [app.kubernetes.io/name, app_kubernetes_io_name]}
                  leaderElection: {renewDeadline: 20s}
                  colour: blue
                """);
        assertThat(run("webhook", "--config", cfg.toString())).isEqualTo(2);
        assertThat(err()).contains("webhook.tlsKeyFile: tlsCertFile and tlsKeyFile must be given together",
                "webhook.workerThreads", "webhook.maxBodyBytes", "webhook.resync",
                "both become the label label_app_kubernetes_io_name", "webhook.leaderElection.renewDeadline",
                "webhook.colour: unknown key");
    }

    @Test
    void nodeCommand_parsesTheWebhookSection_butNeverRunsTheWebhook() throws Exception {
        Path samples = tmp.resolve("samples.prom");
        Path cfg = Files.writeString(tmp.resolve("n.yaml"), """
                nodeName: n1
                kubernetes: {enabled: false}
                debug: {enabled: false}
                localFile: {path: %s}
                webhook:
                  listen: "127.0.0.1:0"
                  tlsCertFile: %s
                  tlsKeyFile: %s
                """.formatted(samples, tmp.resolve("missing.crt"), tmp.resolve("missing.key")));
        assertThat(run("node", "--config", cfg.toString(), "--once")).as(err()).isZero();
        assertThat(Files.readString(samples)).contains("netcost_agent_info{").doesNotContain("exporter=\"webhook\"");
    }
}
