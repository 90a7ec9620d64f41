package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ResourceParser parser = new ResourceParser(List.of("team"), List.of());

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void readsTheV1beta1BackendShape_andTheClassAnnotation() throws Exception {
        JsonNode o = json("""
                {"metadata":{"name":"legacy","annotations":{"kubernetes.io/ingress.class":"alb"}},
                 "spec":{"backend":{"serviceName":"default-svc","servicePort":8080},
                         "rules":[{"host":"a.example.com","http":{"paths":[
                           {"path":"/x","backend":{"serviceName":"x","servicePort":"http"}}]}}]}}
                """);
        for (int i = 0; i < 2; i++) { // the same instance, twice: no state leaks between objects
            IngressState s = parser.ingress(o, "ns");
            assertThat(s.key()).isEqualTo(new ObjectKey("ns", "legacy"));
            assertThat(s.ingressClass()).isEqualTo("alb");
            assertThat(s.backends()).containsExactly(new IngressState.Backend("", "", "", "default-svc", "8080"),
                    new IngressState.Backend("a.example.com", "/x", "", "x", "http"));
        }
    }

    @Test
    void statusHostnames_areKeptInOrder_withoutEmptiesOrRepeats() throws Exception {
        JsonNode ingress = json("""
                {"metadata":{"name":"i","namespace":"n"},
                 "status":{"loadBalancer":{"ingress":[{"hostname":"k8s-a-1a2b3c4d5e-1.us-east-2.elb.amazonaws.com"},
                   {"ip":"203.0.113.7"},{"hostname":""},{"hostname":"k8s-a-1a2b3c4d5e-1.us-east-2.elb.amazonaws.com"}]}}}""");
        JsonNode service = json("""
                {"metadata":{"name":"s","namespace":"n"},"spec":{"type":"LoadBalancer"},
                 "status":{"loadBalancer":{"ingress":[{"hostname":"k8s-n-web-0a1b2c3d4e-f.elb.us-east-2.amazonaws.com"}]}}}""");

        assertThat(parser.ingress(ingress, "").hostnames())
                .containsExactly("k8s-a-1a2b3c4d5e-1.us-east-2.elb.amazonaws.com");
        assertThat(parser.service(service, "").hostnames())
                .containsExactly("k8s-n-web-0a1b2c3d4e-f.elb.us-east-2.amazonaws.com");
        assertThat(parser.ingress(json("{\"metadata\":{\"name\":\"x\"},\"status\":{\"loadBalancer\":{}}}"), "n")
                .hostnames()).isEmpty();
    }

    @Test
    void ingressClassNameWinsOverTheAnnotation() throws Exception {
        IngressState s = parser.ingress(json("""
                {"metadata":{"name":"i","namespace":"own","annotations":{"kubernetes.io/ingress.class":"nginx"}},
                 "spec":{"ingressClassName":"alb"}}"""), "request-ns");
        assertThat(s.ingressClass()).isEqualTo("alb");
        assertThat(s.key().namespace()).as("the object's own namespace first").isEqualTo("own");
        assertThat(s.backends()).isEmpty();
    }

    @Test
    void service_defaultsToClusterIp_andReadsTheLegacyInternalAnnotation() throws Exception {
        ServiceState s = parser.service(json("""
                {"metadata":{"name":"s","annotations":{"service.beta.kubernetes.io/aws-load-balancer-internal":"true"}},
                 "spec":{"ports":[{"port":443,"targetPort":"https"}]}}"""), "ns");
        assertThat(s.type()).isEqualTo("ClusterIP");
        assertThat(s.scheme()).isEqualTo("internal");
        assertThat(s.ports()).containsExactly(new ServiceState.Port("", "", 443, "https", 0));
        assertThat(s.labels()).isEmpty();
    }

    @Test
    void resourceVersion_isANumberOrUnknown() throws Exception {
        assertThat(ResourceParser.resourceVersion(json("{\"metadata\":{\"resourceVersion\":\"123\"}}"))).isEqualTo(123);
        assertThat(ResourceParser.resourceVersion(json("{\"metadata\":{\"resourceVersion\":\"abc\"}}"))).isEqualTo(-1);
        assertThat(ResourceParser.resourceVersion(json("{\"metadata\":{\"resourceVersion\":\"99999999999999999999\"}}")))
                .isEqualTo(-1);
        assertThat(ResourceParser.resourceVersion(json("{}"))).isEqualTo(-1);
    }

    @Test
    void objectWithoutName_givesNull() throws Exception {
        assertThat(parser.ingress(json("{\"metadata\":{\"generateName\":\"x-\"}}"), "ns")).isNull();
        assertThat(parser.service(json("{}"), "ns")).isNull();
        assertThat(parser.ingressClass(json("{\"metadata\":{\"name\":5}}"))).isNotNull();
    }

    @Test
    void recordsAServicesSelector_sorted_andNoneWhenAbsentOrNotStrings() throws Exception {
        assertThat(parser.service(json("""
                {"metadata":{"name":"web"},"spec":{"selector":{"tier":"front","app":"web"}}}"""), "ns").selector())
                .containsExactly(java.util.Map.entry("app", "web"), java.util.Map.entry("tier", "front"));
        assertThat(parser.service(json("{\"metadata\":{\"name\":\"manual\"},\"spec\":{}}"), "ns").selector()).isEmpty();
        assertThat(parser.service(json("""
                {"metadata":{"name":"odd"},"spec":{"selector":{"app":{"x":1}}}}"""), "ns").selector()).isEmpty();
    }

    @Test
    void notesABackendThatIsNotAService() throws Exception {
        IngressState s = parser.ingress(json("""
                {"metadata":{"name":"static"},
                 "spec":{"defaultBackend":{"resource":{"apiGroup":"k8s.example.com","kind":"StorageBucket","name":"b"}},
                         "rules":[{"http":{"paths":[{"path":"/","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}
                """), "ns");
        assertThat(s.otherBackends()).isTrue();
        assertThat(s.backends()).extracting(IngressState.Backend::service).containsExactly("web");
        assertThat(parser.ingress(json("{\"metadata\":{\"name\":\"plain\"},\"spec\":{}}"), "ns").otherBackends()).isFalse();
    }
}
