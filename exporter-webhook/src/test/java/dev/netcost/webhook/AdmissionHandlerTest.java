package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectKey GAME = new ObjectKey("game-2048", "ingress-2048");

    private final RecordedObjects objects = new RecordedObjects(true);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AdmissionHandler handler = new AdmissionHandler(
            new ResourceParser(List.of("team", "app.kubernetes.io/name"), List.of("team")), objects,
            new WebhookMetrics(meters, objects, () -> true), Clock.systemUTC());

    private WebhookResponse send(byte[] body) {
        return handler.handle(new ByteArrayInputStream(body));
    }

    private static JsonNode json(WebhookResponse r) throws Exception {
        return JSON.readTree(r.body());
    }

    private double admissions(String kind, String operation, String result) {
        var c = meters.find("netcost.agent.webhook.admissions").tags("kind", kind, "operation", operation,
                "result", result).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void create_2048Ingress_isAllowedWithItsUid_andRecorded() throws Exception {
        WebhookResponse r = send(Fixtures.bytes("ingress-2048-create-v1.json"));

        assertThat(r.status()).isEqualTo(200);
        JsonNode answer = json(r);
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        assertThat(answer.path("response").path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(answer.path("response").path("allowed").asBoolean()).isTrue();

        IngressState s = objects.ingresses.get(GAME);
        assertThat(s).isNotNull();
        assertThat(s.ingressClass()).isEqualTo("alb");
        assertThat(s.groupName()).isEqualTo("shared-alb");
        assertThat(s.groupOrder()).isEqualTo("10");
        assertThat(s.scheme()).isEqualTo("internet-facing");
        assertThat(s.targetType()).isEqualTo("ip");
        assertThat(s.loadBalancerName()).isEmpty();
        assertThat(s.listenPorts()).isEqualTo("[{\"HTTP\": 80}, {\"HTTPS\": 443}]");
        assertThat(s.backends()).containsExactly(new IngressState.Backend("", "/", "Prefix", "service-2048", "80"));
        assertThat(s.labels()).containsExactly("games", "app-2048");
        assertThat(admissions("ingress", "CREATE", "recorded")).isEqualTo(1);
    }

    @Test
    void update_replacesTheRecordedIngress_withRulesAndDefaultBackend() {
        send(Fixtures.bytes("ingress-2048-create-v1.json"));
        WebhookResponse r = send(Fixtures.bytes("ingress-2048-update-v1.json"));

        assertThat(r.bodyText()).contains("\"uid\":\"8c2b1f3e-0d7a-4e55-9a61-2f4c3b5d6e7f\"", "\"allowed\":true");
        IngressState s = objects.ingresses.get(GAME);
        assertThat(s.loadBalancerName()).isEqualTo("shared-public-alb");
        assertThat(s.groupOrder()).isEmpty();
        assertThat(s.labels()).containsExactly("arcade", "app-2048");
        assertThat(s.backends()).containsExactly(
                new IngressState.Backend("", "", "", "fallback", "http"),
                new IngressState.Backend("2048.example.com", "/", "Prefix", "service-2048", "80"),
                new IngressState.Backend("2048.example.com", "/api", "Exact", "api-2048", "grpc"));
        assertThat(objects.ingresses.recorded(GAME).resourceVersion()).isEqualTo(48213);
    }

    @Test
    void delete_withOldObjectOnly_removesTheIngress() {
        send(Fixtures.bytes("ingress-2048-create-v1.json"));
        WebhookResponse r = send(Fixtures.bytes("ingress-2048-delete-v1.json"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("c0ffee00-1111-2222-3333-444455556666");
        assertThat(objects.ingresses.get(GAME)).isNull();
        assertThat(objects.ingresses.tombstones()).isEqualTo(1);
        assertThat(admissions("ingress", "DELETE", "deleted")).isEqualTo(1);
    }

    @Test
    void v1beta1Review_isAnsweredInV1beta1_andTheServiceRecorded() throws Exception {
        WebhookResponse r = send(Fixtures.bytes("service-2048-create-v1beta1.json"));

        JsonNode answer = json(r);
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(answer.path("response").path("uid").asText()).isEqualTo("b5a1e2d3-c4f5-4a6b-8c7d-9e0f1a2b3c4d");
        ServiceState s = objects.services.get(new ObjectKey("game-2048", "service-2048"));
        assertThat(s.type()).isEqualTo("LoadBalancer");
        assertThat(s.loadBalancerClass()).isEqualTo("service.k8s.aws/nlb");
        assertThat(s.externalTrafficPolicy()).isEqualTo("Local");
        assertThat(s.loadBalancerType()).isEqualTo("external");
        assertThat(s.targetType()).isEqualTo("ip");
        assertThat(s.scheme()).isEqualTo("internet-facing");
        assertThat(s.loadBalancerName()).isEqualTo("game-nlb");
        assertThat(s.ports()).containsExactly(new ServiceState.Port("http", "TCP", 80, "80", 31080));
        assertThat(s.labels()).containsExactly("games");
    }

    @Test
    void dryRun_isAllowed_butNotRecorded() {
        WebhookResponse r = send(Fixtures.bytes("ingress-dryrun-v1.json"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("\"allowed\":true");
        assertThat(objects.ingresses.size()).isZero();
        assertThat(admissions("ingress", "CREATE", "dry_run")).isEqualTo(1);
    }

    @Test
    void unknownKind_isAllowed_andIgnored() {
        WebhookResponse r = send(Fixtures.bytes("configmap-create-v1.json"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("0a0b0c0d-unknown-kind-0000-000000000002", "\"allowed\":true");
        assertThat(objects.ingresses.size() + objects.services.size()).isZero();
        assertThat(admissions("other", "CREATE", "ignored")).isEqualTo(1);
    }

    @Test
    void ingressClassAndParams_areRecordedClusterScoped() {
        send(Fixtures.bytes("ingressclass-create-v1.json"));
        send(Fixtures.bytes("ingressclassparams-create-v1.json"));

        assertThat(objects.ingressClasses.get(new ObjectKey("", "alb-shared")))
                .isEqualTo(new IngressClassState("alb-shared", "ingress.k8s.aws/alb", "elbv2.k8s.aws",
                        "IngressClassParams", "shared-params"));
        assertThat(objects.ingressClassParams.get(new ObjectKey("", "shared-params")))
                .isEqualTo(new IngressClassParamsState("shared-params", "platform-alb", "internal"));
    }

    @Test
    void malformedJson_is400_andCounted() {
        WebhookResponse r = send("{\"apiVersion\": \"admission.k8s.io/v1\", ".getBytes(StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.bodyText()).startsWith("bad request: not valid JSON");
        assertThat(meters.find("netcost.agent.webhook.malformed.reviews").counter().count()).isEqualTo(1);
    }

    @Test
    void missingOrNonStringUid_is400() {
        String noUid = Fixtures.text("ingress-2048-create-v1.json").replace("\"uid\": \"705ab4f5-6393-11e8-b7cc-42010a800002\",", "");
        String numericUid = Fixtures.text("ingress-2048-create-v1.json")
                .replace("\"705ab4f5-6393-11e8-b7cc-42010a800002\"", "42");

        assertThat(send(noUid.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(send(numericUid.getBytes(StandardCharsets.UTF_8)).bodyText()).contains("request.uid");
        assertThat(objects.ingresses.size()).isZero();
    }

    @Test
    void notAnAdmissionReview_is400() {
        assertThat(send("[]".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(send("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
        assertThat(send("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}"
                .getBytes(StandardCharsets.UTF_8)).bodyText()).contains("request is missing");
        assertThat(send(new byte[0]).status()).isEqualTo(400);
        assertThat(send("{} {}".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
    }

    @Test
    void wrongTypesInsideTheObject_areAllowed_andTreatedAsAbsent() throws Exception {
        String weird = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
                  "uid":"w-1","kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},
                  "operation":"CREATE","namespace":"ns","dryRun":"no",
                  "object":{"metadata":{"name":"odd","annotations":["not","a","map"],"labels":7},
                            "spec":{"ingressClassName":{"x":1},"rules":"everything",
                                    "defaultBackend":{"service":{"name":"svc","port":{"number":"eighty"}}}}}}}
                """;
        WebhookResponse r = send(weird.getBytes(StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(200);
        assertThat(json(r).path("response").path("allowed").asBoolean()).isTrue();
        IngressState s = objects.ingresses.get(new ObjectKey("ns", "odd"));
        assertThat(s.ingressClass()).isEmpty();
        assertThat(s.backends()).containsExactly(new IngressState.Backend("", "", "", "svc", "eighty"));
        assertThat(s.labels()).containsExactly("", "");
    }

    @Test
    void createWithoutName_isAllowed_andIgnored() {
        String generated = Fixtures.text("ingress-2048-create-v1.json").replace("\"name\": \"ingress-2048\",", "");

        WebhookResponse r = send(generated.getBytes(StandardCharsets.UTF_8));

        assertThat(r.status()).isEqualTo(200);
        assertThat(objects.ingresses.size()).isZero();
        assertThat(admissions("ingress", "CREATE", "ignored")).isEqualTo(1);
    }

    @Test
    void unboundedOperationValues_becomeOneMeterLabel() {
        for (int i = 0; i < 5; i++) {
            send(Fixtures.text("configmap-create-v1.json").replace("\"CREATE\"", "\"OP" + i + "\"")
                    .getBytes(StandardCharsets.UTF_8));
        }
        assertThat(admissions("other", "other", "ignored")).isEqualTo(5);
    }
}
