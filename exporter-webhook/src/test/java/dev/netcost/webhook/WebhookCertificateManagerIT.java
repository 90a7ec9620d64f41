package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.auth.PemFiles;
import dev.netcost.core.testing.ManualClock;
import dev.netcost.core.testing.PromQueryClient;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Self-managed TLS against fabric8's mock API server in CRUD mode, with the chart's empty Secret. */
@EnableKubernetesMockClient(crud = true)
class WebhookCertificateManagerIT {
    static final String NS = "netcost";
    static final String SECRET = "netcost-webhook-tls";
    static final String VWC = "netcost-webhook";

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path tmp;

    private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));

    @BeforeEach
    void chartObjects() {
        createEmptySecret(client);
        createConfiguration(client);
    }

    /** As the chart does: type Opaque, no data. */
    static void createEmptySecret(KubernetesClient client) {
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName(SECRET)
                .withNamespace(NS).addToAnnotations("helm.sh/resource-policy", "keep").endMetadata()
                .withType("Opaque").build()).create();
    }

    /** Two webhooks, so "every webhook of the configuration" is tested. */
    static void createConfiguration(KubernetesClient client) {
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(
                new ValidatingWebhookConfigurationBuilder().withNewMetadata().withName(VWC).endMetadata()
                        .addToWebhooks(webhook("record.netcost.dev"), webhook("second.netcost.dev")).build()).create();
    }

    private static ValidatingWebhook webhook(String name) {
        return new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookBuilder().withName(name)
                .withAdmissionReviewVersions("v1").withSideEffects("None").withFailurePolicy("Ignore")
                .withNewClientConfig().withNewService().withName("netcost-webhook").withNamespace(NS)
                .withPath("/validate").withPort(443).endService().endClientConfig().build();
    }

    private SelfManagedTlsConfig config(Path certDir, String serviceName) {
        SelfManagedTlsConfig d = SelfManagedTlsConfig.DEFAULT;
        return new SelfManagedTlsConfig(true, SECRET, NS, VWC, serviceName, NS, certDir, d.caValidity(),
                d.certValidity(), d.renewBefore(), d.checkInterval());
    }

    private WebhookCertificateManager manager(KubernetesClient api, String dir) {
        return new WebhookCertificateManager(api, config(tmp.resolve(dir), "netcost-webhook"), NS, NS, clock);
    }

    private Secret secret() {
        return client.secrets().inNamespace(NS).withName(SECRET).get();
    }

    private ValidatingWebhookConfiguration configuration() {
        return client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VWC).get();
    }

    static List<X509Certificate> certs(byte[] pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))
                .forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    private List<X509Certificate> secretCerts(String key) throws Exception {
        return certs(Base64.getDecoder().decode(secret().getData().get(key)));
    }

    private List<String> caBundles() {
        return configuration().getWebhooks().stream().map(w -> w.getClientConfig().getCaBundle()).toList();
    }

    @Test
    void firstStart_fillsTheEmptySecret_andSetsTheCaBundleOfEveryWebhook() throws Exception {
        WebhookCertificateManager m = manager(client, "a");
        WebhookCertificateManager.Outcome o = m.ensure();

        assertThat(o.caCreated()).isTrue();
        assertThat(o.certificateIssued()).isTrue();
        assertThat(o.secretUpdated()).isTrue();
        assertThat(o.webhooksPatched()).isEqualTo(2);
        assertThat(o.filesWritten()).isTrue();

        Map<String, String> data = secret().getData();
        assertThat(data).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
        X509Certificate ca = secretCerts("ca.crt").get(0);
        X509Certificate leaf = secretCerts("tls.crt").get(0);
        assertThat(secretCerts("ca.crt")).hasSize(1);
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=netcost-webhook-ca");
        leaf.verify(ca.getPublicKey());
        assertThat(leaf.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly("netcost-webhook.netcost.svc", "netcost-webhook.netcost.svc.cluster.local");
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(Duration.between(clock.instant(), leaf.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(365));
        assertThat(Duration.between(clock.instant(), ca.getNotAfter().toInstant())).isEqualTo(Duration.ofDays(1825));

        // The API server's view: every webhook trusts exactly ca.crt.
        assertThat(caBundles()).containsOnly(data.get("ca.crt")).hasSize(2);

        // The files hold the Secret's pair, usable by the server.
        Path dir = tmp.resolve("a");
        assertThat(PemFiles.readCertificates(dir.resolve("tls.crt"))).containsExactly(leaf);
        assertThat(Files.readAllBytes(dir.resolve("tls.key"))).isEqualTo(Base64.getDecoder().decode(data.get("tls.key")));
        assertThat(PemFiles.readCertificates(dir.resolve("ca.crt"))).containsExactly(ca);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tls.key"))))
                .isEqualTo("rw-------");
        assertThat(new ServerTlsReloader(dir.resolve("tls.crt"), dir.resolve("tls.key")).certificate()).isEqualTo(leaf);
    }

    @Test
    void secondStart_reusesSecretAndCaBundle_withoutWritingThem() throws Exception {
        manager(client, "a").ensure();
        String secretVersion = secret().getMetadata().getResourceVersion();
        String configVersion = configuration().getMetadata().getResourceVersion();
        X509Certificate leaf = secretCerts("tls.crt").get(0);

        try (KubernetesClient other = server.createClient()) {
            WebhookCertificateManager.Outcome o = manager(other, "b").ensure(); // an upgrade: a new pod, empty dir
            assertThat(o.caCreated()).isFalse();
            assertThat(o.certificateIssued()).isFalse();
            assertThat(o.secretUpdated()).isFalse();
            assertThat(o.webhooksPatched()).isZero();
            assertThat(o.filesWritten()).isTrue();
            assertThat(o.serving().getSerialNumber()).isEqualTo(leaf.getSerialNumber());
        }
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(secretVersion);
        assertThat(configuration().getMetadata().getResourceVersion()).isEqualTo(configVersion);
        assertThat(Files.readAllBytes(tmp.resolve("b/tls.crt"))).isEqualTo(Files.readAllBytes(tmp.resolve("a/tls.crt")));
        assertThat(Files.readAllBytes(tmp.resolve("b/tls.key"))).isEqualTo(Files.readAllBytes(tmp.resolve("a/tls.key")));

        // Again on the same pod: nothing to do at all.
        WebhookCertificateManager.Outcome again = manager(client, "b").ensure();
        assertThat(again.filesWritten()).isFalse();
        assertThat(again.secretUpdated()).isFalse();
    }

    @Test
    void driftedCaBundle_isRepaired_onEveryWebhook_withoutTouchingTheSecret() throws Exception {
        WebhookCertificateManager m = manager(client, "a");
        m.ensure();
        String secretVersion = secret().getMetadata().getResourceVersion();
        String expected = secret().getData().get("ca.crt");

        // As a GitOps sync or a re-applied manifest does: one webhook emptied, the other set to a stranger's CA.
        ValidatingWebhookConfiguration vwc = configuration();
        vwc.getWebhooks().get(0).getClientConfig().setCaBundle(null);
        vwc.getWebhooks().get(1).getClientConfig().setCaBundle(Base64.getEncoder().encodeToString(
                "-----BEGIN CERTIFICATE-----\nnot ours\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII)));
        client.admissionRegistration().v1().validatingWebhookConfigurations().resource(vwc).update();

        WebhookCertificateManager.Outcome o = m.ensure();
        assertThat(o.webhooksPatched()).isEqualTo(2);
        assertThat(o.secretUpdated()).isFalse();
        assertThat(caBundles()).containsOnly(expected).hasSize(2);
        assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(secretVersion);
    }

    @Test
    void renewalNearExpiry_issuesANewCertificateFromTheSameCa_andRewritesTheFiles() throws Exception {
        WebhookCertificateManager m = manager(client, "a");
        WebhookCertificateManager.Outcome first = m.ensure();
        String bundle = caBundles().get(0);
        Instant expiry = first.serving().getNotAfter().toInstant();

        clock.set(expiry.minus(Duration.ofDays(31))); // not yet within renewBefore (30d)
        WebhookCertificateManager.Outcome early = m.ensure();
        assertThat(early.certificateIssued()).isFalse();
        assertThat(early.filesWritten()).isFalse();

        clock.set(expiry.minus(Duration.ofDays(29)));
        WebhookCertificateManager.Outcome renewed = m.ensure();
        assertThat(renewed.certificateIssued()).isTrue();
        assertThat(renewed.caCreated()).isFalse();
        assertThat(renewed.ca()).isEqualTo(first.ca());
        assertThat(renewed.serving().getSerialNumber()).isNotEqualTo(first.serving().getSerialNumber());
        renewed.serving().verify(first.ca().getPublicKey());
        assertThat(renewed.serving().getNotAfter().toInstant()).isEqualTo(clock.instant().plus(Duration.ofDays(365)));
        assertThat(renewed.filesWritten()).isTrue();
        assertThat(PemFiles.readCertificates(tmp.resolve("a/tls.crt"))).containsExactly(renewed.serving());
        assertThat(secretCerts("tls.crt")).containsExactly(renewed.serving());
        assertThat(renewed.webhooksPatched()).as("same CA: caBundle unchanged").isZero();
        assertThat(caBundles()).containsOnly(bundle);
    }

    @Test
    void caNearExpiry_isReplaced_andTheOldCaStaysInTheBundleUntilItExpires() throws Exception {
        WebhookCertificateManager m = manager(client, "a");
        X509Certificate oldCa = m.ensure().ca();
        Instant caExpiry = oldCa.getNotAfter().toInstant();

        clock.set(caExpiry.minus(Duration.ofDays(29)));
        WebhookCertificateManager.Outcome rotated = m.ensure();
        assertThat(rotated.caCreated()).isTrue();
        assertThat(rotated.certificateIssued()).isTrue();
        assertThat(rotated.ca()).isNotEqualTo(oldCa);
        rotated.serving().verify(rotated.ca().getPublicKey());
        // Signing CA first, then the old one: a replica still serving its old certificate stays trusted.
        assertThat(secretCerts("ca.crt")).containsExactly(rotated.ca(), oldCa);
        assertThat(certs(Base64.getDecoder().decode(caBundles().get(0)))).containsExactly(rotated.ca(), oldCa);
        assertThat(rotated.webhooksPatched()).isEqualTo(2);
        assertThat(PemFiles.readCertificates(tmp.resolve("a/ca.crt"))).containsExactly(rotated.ca(), oldCa);

        clock.set(caExpiry.plus(Duration.ofMinutes(1)));
        WebhookCertificateManager.Outcome pruned = m.ensure();
        assertThat(pruned.caCreated()).isFalse();
        assertThat(pruned.certificateIssued()).isFalse();
        assertThat(pruned.secretUpdated()).isTrue();
        assertThat(secretCerts("ca.crt")).containsExactly(rotated.ca());
        assertThat(certs(Base64.getDecoder().decode(caBundles().get(1)))).containsExactly(rotated.ca());
    }

    @Test
    void otherDnsNames_getANewCertificate_fromTheSameCa() throws Exception {
        X509Certificate ca = manager(client, "a").ensure().ca();
        WebhookCertificateManager renamed = new WebhookCertificateManager(client,
                config(tmp.resolve("a"), "netcost-renamed"), NS, NS, clock);
        WebhookCertificateManager.Outcome o = renamed.ensure();
        assertThat(o.certificateIssued()).isTrue();
        assertThat(o.caCreated()).isFalse();
        assertThat(o.ca()).isEqualTo(ca);
        assertThat(o.serving().getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly("netcost-renamed.netcost.svc", "netcost-renamed.netcost.svc.cluster.local");
    }

    @Test
    void unusableSecretContent_isReplaced_andOtherKeysAreKept() throws Exception {
        Secret s = secret();
        s.setData(Map.of("ca.crt", Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.US_ASCII)),
                "ca.key", Base64.getEncoder().encodeToString("garbage".getBytes(StandardCharsets.US_ASCII)),
                "note", Base64.getEncoder().encodeToString("kept".getBytes(StandardCharsets.US_ASCII))));
        client.secrets().inNamespace(NS).resource(s).update();

        WebhookCertificateManager.Outcome o = manager(client, "a").ensure();
        assertThat(o.caCreated()).isTrue();
        assertThat(secretCerts("ca.crt")).containsExactly(o.ca());
        assertThat(secret().getData()).containsEntry("note", Base64.getEncoder().encodeToString("kept".getBytes(
                StandardCharsets.US_ASCII)));
    }

    @Test
    void aConflictingWrite_isReadAgain_andTheWinnersCaIsKept() throws Exception {
        try (KubernetesClient apiA = server.createClient(); KubernetesClient apiB = server.createClient()) {
            WebhookCertificateManager a = manager(apiA, "a");
            WebhookCertificateManager b = manager(apiB, "b");
            List<WebhookCertificateManager.Outcome> bOutcome = new ArrayList<>();
            // b runs its whole round after a has read the empty Secret and before a writes it.
            a.beforeSecretUpdate(() -> {
                if (bOutcome.isEmpty()) {
                    try {
                        bOutcome.add(b.ensure());
                    } catch (WebhookCertificateManager.SetupException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            WebhookCertificateManager.Outcome aOutcome = a.ensure();

            assertThat(bOutcome.get(0).caCreated()).isTrue();
            assertThat(aOutcome.secretUpdated()).as("a got 409, read again and reused b's").isFalse();
            assertThat(aOutcome.caCreated()).isFalse();
            assertThat(aOutcome.ca()).isEqualTo(bOutcome.get(0).ca());
            assertThat(aOutcome.serving()).isEqualTo(bOutcome.get(0).serving());
            assertThat(secretCerts("ca.crt")).containsExactly(aOutcome.ca());
            assertThat(Files.readAllBytes(tmp.resolve("a/tls.crt"))).isEqualTo(Files.readAllBytes(tmp.resolve("b/tls.crt")));
        }
    }

    @Test
    void twoReplicasRacing_onTheEmptySecret_endWithOneCa() throws Exception {
        for (int round = 0; round < 5; round++) {
            client.secrets().inNamespace(NS).withName(SECRET).delete();
            gone(this::secret);
            createEmptySecret(client);
            try (KubernetesClient apiA = server.createClient(); KubernetesClient apiB = server.createClient()) {
                WebhookCertificateManager a = manager(apiA, "a" + round);
                WebhookCertificateManager b = manager(apiB, "b" + round);
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<WebhookCertificateManager.Outcome> fa = CompletableFuture.supplyAsync(() -> run(go, a));
                CompletableFuture<WebhookCertificateManager.Outcome> fb = CompletableFuture.supplyAsync(() -> run(go, b));
                go.countDown();
                WebhookCertificateManager.Outcome oa = fa.get(30, TimeUnit.SECONDS);
                WebhookCertificateManager.Outcome ob = fb.get(30, TimeUnit.SECONDS);
                // Both may issue in a round, but the last round of each reads the same Secret.
                List<X509Certificate> cas = secretCerts("ca.crt");
                assertThat(cas).as("round %d", round).hasSize(1);
                X509Certificate leaf = secretCerts("tls.crt").get(0);
                assertThat(oa.ca()).isEqualTo(cas.get(0));
                assertThat(ob.ca()).isEqualTo(cas.get(0));
                assertThat(oa.serving()).isEqualTo(leaf);
                assertThat(ob.serving()).isEqualTo(leaf);
                assertThat(caBundles()).containsOnly(secret().getData().get("ca.crt"));
                assertThat(Files.readAllBytes(tmp.resolve("a" + round + "/tls.crt")))
                        .isEqualTo(Files.readAllBytes(tmp.resolve("b" + round + "/tls.crt")));
            }
        }
    }

    private static void gone(java.util.function.Supplier<?> get) {
        PromQueryClient.await("deleted", get, java.util.Objects::isNull, Duration.ofSeconds(10));
    }

    private static WebhookCertificateManager.Outcome run(CountDownLatch go, WebhookCertificateManager m) {
        try {
            go.await();
            return m.ensure();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void missingSecret_failsWithAnErrorNamingTheChartAndRbacFix_andWritesNothing() {
        client.secrets().inNamespace(NS).withName(SECRET).delete();
        gone(this::secret);
        assertThatThrownBy(() -> manager(client, "a").ensure())
                .isInstanceOf(WebhookCertificateManager.SetupException.class)
                .hasMessageContaining("the Secret netcost/netcost-webhook-tls does not exist")
                .hasMessageContaining("RBAC cannot narrow 'create' to one name")
                .hasMessageContaining("webhook.tls.mode=selfManaged")
                .hasMessageContaining("kubectl -n netcost create secret generic netcost-webhook-tls")
                .satisfies(e -> assertThat(((WebhookCertificateManager.SetupException) e).code()).isEqualTo(404));
        assertThat(tmp.resolve("a")).doesNotExist();
        assertThat(caBundles()).containsOnlyNulls();
    }

    @Test
    void missingConfiguration_failsNamingIt_andServesNothingNew() throws Exception {
        client.admissionRegistration().v1().validatingWebhookConfigurations().withName(VWC).delete();
        gone(this::configuration);
        assertThatThrownBy(() -> manager(client, "a").ensure())
                .isInstanceOf(WebhookCertificateManager.SetupException.class)
                .hasMessageContaining("the ValidatingWebhookConfiguration netcost-webhook does not exist")
                .hasMessageContaining("webhookConfigurationName");
        assertThat(tmp.resolve("a/tls.crt")).as("no file before the caBundle is right").doesNotExist();
    }

    @Test
    void forbidden_namesTheRoleToGrant() {
        server.expect().get().withPath("/api/v1/namespaces/netcost/secrets/netcost-webhook-tls")
                .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
                        .withMessage("secrets \"netcost-webhook-tls\" is forbidden").build()).always();
        assertThatThrownBy(() -> manager(client, "a").ensure())
                .isInstanceOf(WebhookCertificateManager.SetupException.class)
                .hasMessageContaining("cannot read the Secret netcost/netcost-webhook-tls (forbidden)")
                .hasMessageContaining("get, update and patch on secrets with resourceNames [netcost-webhook-tls]");
    }
}
