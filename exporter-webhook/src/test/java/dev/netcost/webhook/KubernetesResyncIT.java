package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.TestCertificates;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up and periodic lists against fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KubernetesResyncIT {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path tmp;

    private WebhookRuntime runtime;
    private HttpsTestClient https;
    private final ObjectKey game = new ObjectKey("game-2048", "ingress-2048");

    @BeforeEach
    void objectsExistBeforeTheWebhook() {
        client.network().v1().ingresses().inNamespace("game-2048").resource(ingress2048("team-a")).create();
        client.services().inNamespace("game-2048").resource(new ServiceBuilder().withNewMetadata()
                .withName("service-2048").withNamespace("game-2048").addToLabels("team", "games").endMetadata()
                .withNewSpec().withType("NodePort").addNewPort().withPort(80).withTargetPort(new IntOrString(80))
                .withProtocol("TCP").endPort().endSpec().build()).create();
        client.network().v1().ingressClasses().resource(new IngressClassBuilder().withNewMetadata().withName("alb")
                .endMetadata().withNewSpec().withController("ingress.k8s.aws/alb").endSpec().build()).create();
    }

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private static Ingress ingress2048(String team) {
        return new IngressBuilder().withNewMetadata().withName("ingress-2048").withNamespace("game-2048")
                .addToLabels("team", team)
                .addToAnnotations("alb.ingress.kubernetes.io/scheme", "internet-facing")
                .addToAnnotations("alb.ingress.kubernetes.io/target-type", "ip")
                .addToAnnotations("alb.ingress.kubernetes.io/group.name", "shared-alb")
                .endMetadata()
                .withNewSpec().withIngressClassName("alb").addNewRule().withNewHttp().addNewPath().withPath("/")
                .withPathType("Prefix").withNewBackend().withNewService().withName("service-2048").withNewPort()
                .withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule().endSpec().build();
    }

    private void startWebhook(String resync) throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        TestWebhook tw = new TestWebhook("""
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                  resync: %s
                  labels: {ingress: [team], service: [team]}
                  leaderElection: {enabled: false}
                """.formatted(certs.serverCert(), certs.serverKey(), resync));
        runtime = tw.runtime(client);
        runtime.start(() -> { }, Duration.ofHours(1));
        https = new HttpsTestClient(certs.caCert(), runtime.port());
    }

    @Test
    void startUp_listsWhatExistedBefore() throws Exception {
        startWebhook("10m");
        RecordedObjects objects = runtime.objects();
        PromQueryClient.await("initial resync", () -> objects.ingresses.get(game), s -> s != null, Duration.ofSeconds(15));
        IngressState s = objects.ingresses.get(game);
        assertThat(s.groupName()).isEqualTo("shared-alb");
        assertThat(s.backends()).containsExactly(new IngressState.Backend("", "/", "Prefix", "service-2048", "80"));
        assertThat(s.labels()).containsExactly("team-a");
        assertThat(objects.ingresses.recorded(game).resourceVersion()).isPositive();
        PromQueryClient.await("services and classes", () -> objects.services.size() + objects.ingressClasses.size(),
                n -> n == 2, Duration.ofSeconds(15));
        ServiceState svc = objects.services.get(new ObjectKey("game-2048", "service-2048"));
        assertThat(svc.type()).isEqualTo("NodePort");
        assertThat(svc.ports()).containsExactly(new ServiceState.Port("", "TCP", 80, "80", 0));
        assertThat(objects.ingressClasses.get(new ObjectKey("", "alb")).controller()).isEqualTo("ingress.k8s.aws/alb");
    }

    @Test
    void resync_seesDeletesTheWebhookMissed_andKeepsNewerAdmissions() throws Exception {
        startWebhook("10m");
        RecordedObjects objects = runtime.objects();
        PromQueryClient.await("initial resync", () -> objects.ingresses.get(game), s -> s != null, Duration.ofSeconds(15));
        long rv = objects.ingresses.recorded(game).resourceVersion();

        // An admitted UPDATE starting from the listed version: a list of that same version must not undo it.
        String update = Fixtures.text("ingress-2048-update-v1.json").replace("\"48213\"", "\"" + rv + "\"")
                .replace("\"team\": \"arcade\"", "\"team\": \"team-b\"");
        assertThat(https.post("/validate", update.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        runtime.resyncNow();
        assertThat(objects.ingresses.get(game).labels()).containsExactly("team-b");

        // A change the webhook missed (failurePolicy Ignore): the newer version from the list wins.
        client.network().v1().ingresses().inNamespace("game-2048").resource(ingress2048("team-c")).update();
        runtime.resyncNow();
        assertThat(objects.ingresses.get(game).labels()).containsExactly("team-c");

        // A delete the webhook missed.
        client.services().inNamespace("game-2048").withName("service-2048").delete();
        runtime.resyncNow();
        assertThat(objects.services.size()).isZero();
        assertThat(objects.ingresses.size()).isEqualTo(1);
    }

    @Test
    void resync_runsPeriodically() throws Exception {
        startWebhook("1s");
        RecordedObjects objects = runtime.objects();
        client.network().v1().ingresses().inNamespace("other").resource(new IngressBuilder(ingress2048("x"))
                .editMetadata().withNamespace("other").withName("later").endMetadata().build()).create();
        PromQueryClient.await("periodic resync", () -> objects.ingresses.get(new ObjectKey("other", "later")),
                s -> s != null, Duration.ofSeconds(15));
        client.network().v1().ingresses().inNamespace("other").withName("later").delete();
        PromQueryClient.await("periodic resync sees the delete", () -> objects.ingresses.get(new ObjectKey("other", "later")),
                s -> s == null, Duration.ofSeconds(15));
        assertThat(objects.ingresses.get(game)).isNotNull();
    }

}
