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
                """);
        WebhookConfig c = tw.config;
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
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("webhook.tlsCertFile: tlsCertFile and tlsKeyFile must be given together")
                .hasMessageContaining("webhook.maxBodyBytes")
                .hasMessageContaining("'team' and 'team' both become the label label_team")
                .hasMessageContaining("webhook.labels.service: contains an empty label key")
                .hasMessageContaining("webhook.leaderElection.name: must not be empty")
                .hasMessageContaining("webhook.leaderElection.retryPeriod");
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
