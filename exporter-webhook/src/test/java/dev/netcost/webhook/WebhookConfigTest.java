package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.ConfigException;
import dev.netcost.core.config.EffectiveConfig;
import dev.netcost.core.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {
    @Test
    void absentSection_givesTheDocumentedDefaults() {
        WebhookConfig c = new TestWebhook("{}").config;
        assertThat(c).isEqualTo(WebhookConfig.defaults());
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 8443));
        assertThat(c.maxBodyBytes()).isEqualTo(4L << 20);
        assertThat(c.resync()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.tlsCertFile()).isNull();
        assertThat(c.leaderElection().name()).isEqualTo("netcost-webhook");
    }

    @Test
    void clientLimits_haveTheDocumentedDefaults_theBodyBudgetAnEighthOfTheHeap() {
        WebhookConfig c = WebhookConfig.defaults(154L << 20);
        assertThat(c.maxConnections()).isEqualTo(256);
        assertThat(c.maxInFlightBodyBytes()).isEqualTo((154L << 20) / 8);
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(WebhookConfig.defaults(16L << 20).maxInFlightBodyBytes()).as("at least one body of the largest size")
                .isEqualTo(4L << 20);
        assertThat(new TestWebhook("{}").config.maxInFlightBodyBytes())
                .isEqualTo(Math.max(Runtime.getRuntime().maxMemory() / 8, 4L << 20));
    }

    @Test
    void everyKeyIsRead() {
        TestWebhook tw = new TestWebhook("""
                webhook:
                  listen: 127.0.0.1:9443
                  tlsCertFile: /tls/tls.crt
                  tlsKeyFile: /tls/tls.key
                  tlsReloadInterval: 1s
                  maxBodyBytes: 1MiB
                  workerThreads: 4
                  resync: 5m
                  labels: {ingress: [team, app.kubernetes.io/name], service: [team]}
                  leaderElection: {enabled: false, namespace: netcost, name: lease, identity: me,
                                   leaseDuration: 30s, renewDeadline: 20s, retryPeriod: 5s}
                  maxConnections: 64
                  maxInFlightBodyBytes: 8MiB
                  headerTimeout: 2s
                  bodyTimeout: 3s
                  idleTimeout: 90s
                """);
        WebhookConfig c = tw.config;
        assertThat(c.maxConnections()).isEqualTo(64);
        assertThat(c.maxInFlightBodyBytes()).isEqualTo(8L << 20);
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 9443));
        assertThat(c.tlsCertFile()).isEqualTo(Path.of("/tls/tls.crt"));
        assertThat(c.tlsKeyFile()).isEqualTo(Path.of("/tls/tls.key"));
        assertThat(c.tlsReloadInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(c.workerThreads()).isEqualTo(4);
        assertThat(c.resync()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.labels().ingress()).containsExactly("team", "app.kubernetes.io/name");
        assertThat(c.labels().service()).containsExactly("team");
        assertThat(c.leaderElection()).isEqualTo(new WebhookConfig.LeaderElectionConfig(false, "netcost", "lease", "me",
                Duration.ofSeconds(30), Duration.ofSeconds(20), Duration.ofSeconds(5)));
        assertThat(EffectiveConfig.render(tw.agent)).contains("webhook:", "tlsReloadInterval: 1s",
                "listen: 127.0.0.1:9443", "- app.kubernetes.io/name");
    }

    @Test
    void invalidValues_areAllReported() {
        assertThatThrownBy(() -> new TestWebhook("""
                webhook:
                  tlsKeyFile: /tls/tls.key
                  maxBodyBytes: 3GiB
                  labels: {service: [team, team, ""]}
                  leaderElection: {name: "", retryPeriod: 20s}
                  maxConnections: 0
                  maxInFlightBodyBytes: 2KiB
                  headerTimeout: 10ms
                  idleTimeout: 100ms
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhook.maxConnections")
                .hasMessageContaining("webhook.maxInFlightBodyBytes: must be at least maxBodyBytes")
                .hasMessageContaining("webhook.headerTimeout")
                .hasMessageContaining("webhook.idleTimeout")
                .hasMessageContaining("webhook.tlsCertFile: tlsCertFile and tlsKeyFile must be given together")
                .hasMessageContaining("webhook.maxBodyBytes")
                .hasMessageContaining("'team' and 'team' both become the label label_team")
                .hasMessageContaining("webhook.labels.service: contains an empty label key")
                .hasMessageContaining("webhook.leaderElection.name: must not be empty")
                .hasMessageContaining("webhook.leaderElection.retryPeriod");
    }

    @Test
    void selfManagedTls_isOffByDefault_withTheDocumentedDefaults() {
        SelfManagedTlsConfig t = new TestWebhook("{}").config.selfManagedTls();
        assertThat(t).isEqualTo(SelfManagedTlsConfig.DEFAULT);
        assertThat(t.enabled()).isFalse();
        assertThat(t.secretName()).isEqualTo("netcost-webhook-tls");
        assertThat(t.secretNamespace()).isEmpty();
        assertThat(t.webhookConfigurationName()).isEqualTo("netcost-webhook");
        assertThat(t.serviceName()).isEqualTo("netcost-webhook");
        assertThat(t.certDir()).isEqualTo(Path.of("/var/lib/netcost/tls"));
        assertThat(t.caValidity()).isEqualTo(Duration.ofDays(1825));
        assertThat(t.certValidity()).isEqualTo(Duration.ofDays(365));
        assertThat(t.renewBefore()).isEqualTo(Duration.ofDays(30));
        assertThat(t.checkInterval()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void selfManagedTls_readsEveryKey_andPointsTheServerAtItsFiles() {
        TestWebhook tw = new TestWebhook("""
                webhook:
                  selfManagedTls:
                    enabled: true
                    secretName: rel-webhook-tls
                    secretNamespace: netcost-system
                    webhookConfigurationName: rel-webhook
                    serviceName: rel-webhook
                    serviceNamespace: netcost-system
                    certDir: /tmp/certs
                    caValidity: 3650d
                    certValidity: 90d
                    renewBefore: 10d
                    checkInterval: 5m
                """);
        WebhookConfig c = tw.config;
        assertThat(c.selfManagedTls()).isEqualTo(new SelfManagedTlsConfig(true, "rel-webhook-tls", "netcost-system",
                "rel-webhook", "rel-webhook", "netcost-system", Path.of("/tmp/certs"), Duration.ofDays(3650),
                Duration.ofDays(90), Duration.ofDays(10), Duration.ofMinutes(5)));
        assertThat(c.tlsCertFile()).isEqualTo(Path.of("/tmp/certs/tls.crt"));
        assertThat(c.tlsKeyFile()).isEqualTo(Path.of("/tmp/certs/tls.key"));
        assertThat(SelfManagedTlsConfig.dnsNames("rel-webhook", "netcost-system"))
                .containsExactly("rel-webhook.netcost-system.svc", "rel-webhook.netcost-system.svc.cluster.local");
        assertThat(EffectiveConfig.render(tw.agent)).contains("selfManagedTls:", "secretName: rel-webhook-tls");
    }

    @Test
    void selfManagedTls_invalidValues_areAllReported() {
        assertThatThrownBy(() -> new TestWebhook("""
                webhook:
                  tlsCertFile: /tls/tls.crt
                  tlsKeyFile: /tls/tls.key
                  selfManagedTls:
                    enabled: true
                    secretName: Not_A_Name
                    serviceName: a.b
                    caValidity: 100d
                    certValidity: 200d
                    renewBefore: 60d
                    typo: 1
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhook.tlsCertFile: must not be set with selfManagedTls.enabled")
                .hasMessageContaining("webhook.tlsKeyFile: must not be set with selfManagedTls.enabled")
                .hasMessageContaining("webhook.selfManagedTls.secretName: 'Not_A_Name' is not a valid Kubernetes name")
                .hasMessageContaining("webhook.selfManagedTls.serviceName: 'a.b' is not a valid Kubernetes name")
                .hasMessageContaining("webhook.selfManagedTls.certValidity: must not be longer than caValidity")
                .hasMessageContaining("webhook.selfManagedTls.renewBefore: must be at most half of caValidity")
                .hasMessageContaining("webhook.selfManagedTls.typo");
        assertThatThrownBy(() -> new TestWebhook("""
                webhook:
                  selfManagedTls: {enabled: true, certValidity: 30d, renewBefore: 30d}
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhook.selfManagedTls.renewBefore: must be shorter than certValidity");
    }

    @Test
    void factory_runsOnlyInTheWebhookCommand() {
        WebhookExporterFactory f = new WebhookExporterFactory();
        assertThat(f.configKey()).isEqualTo("webhook");
        assertThat(f.runsInNode()).isFalse();
        assertThat(f.enabled(WebhookConfig.defaults())).isTrue();
        assertThat(List.of(f.configKey())).doesNotContain("cadvisor", "iptables");
    }
}
