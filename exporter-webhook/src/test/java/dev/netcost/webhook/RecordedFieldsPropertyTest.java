package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder skips what the parser does not read: for any object, what is recorded from the filtered
 * review equals what is recorded from the whole document.
 */
class RecordedFieldsPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> LABEL_KEYS = List.of("team", "app.kubernetes.io/name", "tier", "kubernetes.io/x");
    private final ResourceParser parser = new ResourceParser(List.of("team", "app.kubernetes.io/name"), List.of("tier"));
    private final AdmissionReviewDecoder decoder = new AdmissionReviewDecoder(parser.recordedFields());

    @Test
    void whatIsRecordedFromTheFilteredReview_equalsWhatIsRecordedFromTheWholeOne() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            ObjectNode object = randomObject(r);
            ObjectNode review = review(object, r.nextBoolean() ? randomObject(r) : null);
            JsonNode whole = review.path("request").path("object");
            AdmissionRequest filtered = decode(review);
            JsonNode kept = filtered.object();

            assertThat(parser.ingress(kept, "ns")).isEqualTo(parser.ingress(whole, "ns"));
            assertThat(parser.service(kept, "ns")).isEqualTo(parser.service(whole, "ns"));
            assertThat(parser.ingressClass(kept)).isEqualTo(parser.ingressClass(whole));
            assertThat(parser.ingressClassParams(kept)).isEqualTo(parser.ingressClassParams(whole));
            assertThat(ResourceParser.key(kept, "ns")).isEqualTo(ResourceParser.key(whole, "ns"));
            assertThat(ResourceParser.resourceVersion(kept)).isEqualTo(ResourceParser.resourceVersion(whole));
            assertThat(hostnames(kept)).isEqualTo(hostnames(whole));
            assertThat(kept.path("metadata").has("managedFields")).isFalse();
            JsonNode oldWhole = review.path("request").path("oldObject");
            assertThat(ResourceParser.key(filtered.oldObject(), "ns")).isEqualTo(ResourceParser.key(oldWhole, "ns"));
        });
    }

    @Test
    void theFixtures_recordTheSame_filteredOrWhole() throws Exception {
        for (String name : List.of("ingress-2048-create-v1.json", "ingress-2048-update-v1.json",
                "ingress-2048-delete-v1.json", "service-2048-create-v1beta1.json", "ingressclass-create-v1.json",
                "ingressclassparams-create-v1.json", "configmap-create-v1.json", "ingress-dryrun-v1.json")) {
            JsonNode whole = JSON.readTree(Fixtures.bytes(name)).path("request");
            AdmissionRequest filtered = decoder.decode(new ByteArrayInputStream(Fixtures.bytes(name)));
            for (String side : List.of("object", "oldObject")) {
                JsonNode w = whole.path(side);
                JsonNode k = side.equals("object") ? filtered.object() : filtered.oldObject();
                assertThat(parser.ingress(k, "ns")).as(name).isEqualTo(parser.ingress(w, "ns"));
                assertThat(parser.service(k, "ns")).as(name).isEqualTo(parser.service(w, "ns"));
                assertThat(parser.ingressClass(k)).as(name).isEqualTo(parser.ingressClass(w));
                assertThat(parser.ingressClassParams(k)).as(name).isEqualTo(parser.ingressClassParams(w));
            }
            assertThat(filtered.uid()).isEqualTo(whole.path("uid").asText());
            assertThat(filtered.dryRun()).isEqualTo(whole.path("dryRun").asBoolean(false));
        }
    }

    @Test
    void skippedFields_mustStillBeValidJson() {
        String broken = new String(Fixtures.bytes("ingress-2048-create-v1.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"userInfo\": {", "\"userInfo\": {,");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode(new ByteArrayInputStream(
                broken.getBytes(java.nio.charset.StandardCharsets.UTF_8)))).isInstanceOf(MalformedReviewException.class);
    }

    private AdmissionRequest decode(ObjectNode review) {
        try {
            return decoder.decode(new ByteArrayInputStream(JSON.writeValueAsBytes(review)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> hostnames(JsonNode object) {
        return object.path("status").path("loadBalancer").path("ingress").findValuesAsText("hostname");
    }

    private static ObjectNode review(ObjectNode object, ObjectNode oldObject) {
        ObjectNode req = F.objectNode().put("uid", "u-1").put("operation", "UPDATE").put("namespace", "ns").put("name", "n");
        req.putObject("kind").put("group", "networking.k8s.io").put("version", "v1").put("kind", "Ingress");
        req.putObject("userInfo").put("username", "admin").putArray("groups").add("system:masters");
        req.set("object", object);
        if (oldObject != null) {
            req.set("oldObject", oldObject);
        }
        req.put("dryRun", false);
        ObjectNode review = F.objectNode().put("apiVersion", AdmissionReviewDecoder.V1).put("kind", "AdmissionReview");
        review.set("request", req);
        return review;
    }

    /** Any shape an Ingress, Service, IngressClass or IngressClassParams may take, with what real objects carry. */
    private static ObjectNode randomObject(Random r) {
        ObjectNode o = F.objectNode().put("apiVersion", "v1").put("kind", pick(r, "Ingress", "Service", "IngressClass"));
        ObjectNode meta = o.putObject("metadata");
        if (r.nextInt(10) > 0) {
            meta.put("name", "obj-" + r.nextInt(5));
        }
        if (r.nextBoolean()) {
            meta.put("namespace", pick(r, "shop", "", "game-2048"));
        }
        if (r.nextBoolean()) {
            meta.put("resourceVersion", r.nextBoolean() ? Integer.toString(r.nextInt(100_000)) : "x" + r.nextInt(9));
        }
        ObjectNode ann = meta.putObject("annotations");
        for (int i = r.nextInt(6); i > 0; i--) {
            String key = r.nextInt(3) == 0 ? "example.com/a" + r.nextInt(4)
                    : ResourceParser.ANNOTATIONS.get(r.nextInt(ResourceParser.ANNOTATIONS.size()));
            if (r.nextInt(8) == 0) {
                ann.putObject(key).put("odd", true); // wrong type: treated as absent either way
            } else {
                ann.put(key, pick(r, "shared-alb", "internet-facing", "ip", "true", "nlb", "[{\"HTTP\":80}]"));
            }
        }
        ann.put("kubectl.kubernetes.io/last-applied-configuration", "{\"apiVersion\":\"v1\",\"kind\":\"Service\"}".repeat(r.nextInt(50)));
        ObjectNode labels = meta.putObject("labels");
        for (String k : LABEL_KEYS) {
            if (r.nextBoolean()) {
                labels.put(k, "v" + r.nextInt(3));
            }
        }
        ArrayNode managed = meta.putArray("managedFields");
        for (int i = r.nextInt(4); i > 0; i--) {
            managed.addObject().put("manager", "m" + i).putObject("fieldsV1").putObject("f:spec").putObject("f:rules");
        }
        ObjectNode spec = o.putObject("spec");
        spec.put(r.nextBoolean() ? "ingressClassName" : "type", pick(r, "alb", "LoadBalancer", "NodePort"));
        spec.put("controller", pick(r, "ingress.k8s.aws/alb", "example.com/x"));
        spec.putObject("parameters").put("apiGroup", "elbv2.k8s.aws").put("kind", "IngressClassParams").put("name", "p");
        spec.putObject("group").put("name", "g" + r.nextInt(3));
        spec.put("scheme", pick(r, "internal", "internet-facing"));
        ArrayNode rules = spec.putArray("rules");
        for (int i = r.nextInt(3); i > 0; i--) {
            ObjectNode path = rules.addObject().put("host", "h" + i).putObject("http").putArray("paths").addObject()
                    .put("path", "/" + i).put("pathType", "Prefix");
            path.putObject("backend").putObject("service").put("name", "s" + i).putObject("port").put("number", 80 + i);
        }
        ArrayNode ports = spec.putArray("ports");
        for (int i = r.nextInt(3); i > 0; i--) {
            ports.addObject().put("name", "p" + i).put("port", 80 + i).put("targetPort", "http").put("protocol", "TCP");
        }
        if (r.nextBoolean()) {
            ObjectNode status = o.putObject("status");
            ArrayNode lbs = status.putObject("loadBalancer").putArray("ingress");
            for (int i = r.nextInt(3); i > 0; i--) {
                ObjectNode lb = lbs.addObject().put("hostname", "k8s-" + i + ".elb.amazonaws.com");
                lb.putArray("ports").addObject().put("port", 80).put("protocol", "TCP");
            }
            status.putArray("conditions").addObject().put("type", "Ready").put("message", "x".repeat(r.nextInt(100)));
        }
        return o;
    }

    private static String pick(Random r, String... values) {
        return values[r.nextInt(values.length)];
    }
}
