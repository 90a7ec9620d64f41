package dev.netcost.webhook;

import static dev.netcost.webhook.WebhookCertificateManagerIT.NS;
import static dev.netcost.webhook.WebhookCertificateManagerIT.SECRET;
import static dev.netcost.webhook.WebhookCertificateManagerIT.VWC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.testing.ManualClock;
import dev.netcost.core.testing.PromQueryClient;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code netcost webhook} with self-managed TLS on fabric8's mock API (CRUD): it serves only once it
 * has a pair, and renews and repairs while serving, seen through real TLS handshakes that trust
 * exactly the configuration's {@code caBundle}, as the API server does.
 */
@EnableKubernetesMockClient(crud = true)
class SelfManagedTlsRuntimeIT {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path tmp;

    private final Instant realNow = Instant.now();
    private final ManualClock clock = new ManualClock(realNow);
    private TestWebhook tw;
    private WebhookRuntime runtime;

    @BeforeEach
    void configuration() {
        WebhookCertificateManagerIT.createConfiguration(client);
        tw = new TestWebhook("""
                webhook:
                  listen: 127.0.0.1:0
                  tlsReloadInterval: 100ms
                  leaderElection: {enabled: false}
                  selfManagedTls:
                    enabled: true
                    secretName: %s
                    secretNamespace: %s
                    webhookConfigurationName: %s
                    serviceName: netcost-webhook
                    serviceNamespace: %s
                    certDir: %s
                    checkInterval: 200ms
                """.formatted(SECRET, NS, VWC, NS, tmp.resolve("tls")), clock);
        runtime = tw.runtime(client);
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private CompletableFuture<Void> startAsync() {
        return CompletableFuture.runAsync(() -> runtime.start(() -> { }, Duration.ofHours(1)));
    }

    private X509Certificate secretLeaf() throws Exception {
        String tls = client.secrets().inNamespace(NS).withName(SECRET).get().getData().get("tls.crt");
        return WebhookCertificateManagerIT.certs(Base64.getDecoder().decode(tls)).get(0);
    }

    private String caBundle() {
        ValidatingWebhookConfiguration vwc =
                client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VWC).get();
        return vwc.getWebhooks().get(0).getClientConfig().getCaBundle();
    }

    /** The certificate a new handshake gets, trusting only the configuration's caBundle (as the API server). */
    private X509Certificate served() {
        try {
            List<X509Certificate> cas = WebhookCertificateManagerIT.certs(Base64.getDecoder().decode(caBundle()));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", runtime.port())) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                return (X509Certificate) s.getSession().getPeerCertificates()[0];
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private double meter(String line) {
        for (String l : tw.meters.scrape().split("\n")) {
            if (l.startsWith(line + " ")) {
                return Double.parseDouble(l.substring(line.length() + 1));
            }
        }
        return 0;
    }

    @Test
    void waitsForTheSecret_thenServes_andRenewsNearExpiryWithoutARestart() throws Exception {
        clock.set(realNow.minus(Duration.ofDays(340))); // the first pair is issued 340 days "ago"
        CompletableFuture<Void> started = startAsync();
        PromQueryClient.await("failed rounds while the Secret is missing",
                () -> meter("netcost_agent_webhook_certificate_checks_total{result=\"failure\"}"), n -> n >= 2,
                Duration.ofSeconds(20));
        assertThat(started).as("no serving without a pair").isNotDone();
        assertThat(runtime.isReady()).isFalse();

        WebhookCertificateManagerIT.createEmptySecret(client); // e.g. a GitOps tool applying it late
        started.get(30, TimeUnit.SECONDS);
        assertThat(runtime.isReady()).isTrue();
        X509Certificate first = secretLeaf();
        assertThat(served()).isEqualTo(first);
        assertThat(meter("netcost_agent_webhook_certificate_expiry_timestamp_seconds"))
                .isEqualTo(first.getNotAfter().getTime() / 1000.0);
        int port = runtime.port();

        // 25 days before expiry (renewBefore 30d): the next check renews, the server reloads.
        clock.set(realNow);
        X509Certificate renewed = PromQueryClient.await("a new certificate on new handshakes", this::served,
                c -> !c.equals(first), Duration.ofSeconds(20));
        assertThat(renewed).isEqualTo(secretLeaf());
        assertThat(renewed.getIssuerX500Principal()).isEqualTo(first.getIssuerX500Principal());
        assertThat(renewed.getNotAfter().toInstant()).isAfter(first.getNotAfter().toInstant());
        assertThat(runtime.port()).as("same server, no restart").isEqualTo(port);
        assertThat(runtime.tls().certificate()).isEqualTo(renewed);
        assertThat(meter("netcost_agent_webhook_tls_reloads_total{result=\"success\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDriftedCaBundle_isRepairedWhileServing() throws Exception {
        WebhookCertificateManagerIT.createEmptySecret(client);
        startAsync().get(30, TimeUnit.SECONDS);
        String good = caBundle();
        assertThat(good).isNotNull();

        ValidatingWebhookConfiguration vwc =
                client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VWC).get();
        vwc.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(null));
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(vwc).update();

        PromQueryClient.await("caBundle repaired", this::caBundle, good::equals, Duration.ofSeconds(20));
        assertThat(served()).isEqualTo(secretLeaf());
    }

    @Test
    void closedWhileWaitingForTheSecret_returnsWithoutServing() throws Exception {
        CompletableFuture<Void> started = startAsync();
        PromQueryClient.await("a failed round",
                () -> meter("netcost_agent_webhook_certificate_checks_total{result=\"failure\"}"), n -> n >= 1,
                Duration.ofSeconds(20));
        runtime.close();
        started.get(10, TimeUnit.SECONDS);
        assertThat(runtime.isReady()).isFalse();
        assertThat(tmp.resolve("tls/tls.crt")).doesNotExist();
    }

    @Test
    void withoutTheKubernetesApi_selfManagedTlsIsAStartupError() {
        WebhookRuntime standalone = tw.runtime(null);
        try {
            assertThatThrownBy(() -> standalone.start(() -> { }, Duration.ofHours(1)))
                    .isInstanceOf(WebhookRuntime.StartupException.class)
                    .hasMessageContaining("webhook.selfManagedTls.enabled needs the Kubernetes API")
                    .hasMessageContaining("kubernetes.enabled=true");
        } finally {
            standalone.close();
        }
    }
}
