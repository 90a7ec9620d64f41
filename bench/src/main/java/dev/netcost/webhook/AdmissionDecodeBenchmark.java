package dev.netcost.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and recording one {@code POST /validate} body ({@link AdmissionHandler#handle}), against
 * building the whole document as a tree first (what the decoder did before it skipped what is not
 * recorded). In the webhook's package, as the fuzz test is, to reach the package-private handler.
 *
 * <ul>
 *   <li>{@code ordinary}: an Ingress UPDATE of about 3 KiB, managedFields included;</li>
 *   <li>{@code large}: the same Ingress grown to about 4 MB as real objects grow: managedFields entries
 *       from many managers and a {@code last-applied-configuration} annotation, on object and oldObject.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx154m", "-XX:+UseSerialGC"})
public class AdmissionDecodeBenchmark {
    @Param({"ordinary", "large"})
    public String review;

    private byte[] body;
    private AdmissionHandler handler;
    private ResourceParser parser;
    private final ObjectMapper whole = new ObjectMapper();

    @Setup
    public void setUp() throws IOException {
        body = whole.writeValueAsBytes(review(review.equals("large") ? 4_000_000 : 0));
        parser = new ResourceParser(List.of("team"), List.of("team"));
        RecordedObjects objects = new RecordedObjects(false);
        handler = new AdmissionHandler(parser, objects,
                new WebhookMetrics(new SimpleMeterRegistry(), objects, () -> true), Clock.systemUTC());
        if (handler.handle(new ByteArrayInputStream(body)).status() != 200 || objects.ingresses.size() != 1) {
            throw new IllegalStateException("BUG: the benchmark's review is not recorded");
        }
    }

    @Benchmark
    public WebhookResponse filtered() {
        return handler.handle(new ByteArrayInputStream(body));
    }

    @Benchmark
    public IngressState wholeTree() throws IOException {
        JsonNode request = whole.readTree(body).path("request");
        parser.ingress(request.path("oldObject"), "shop");
        return parser.ingress(request.path("object"), "shop");
    }

    /** An Ingress UPDATE review of at least {@code size} bytes (0: as small as it comes). */
    static ObjectNode review(int size) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode req = f.objectNode().put("uid", "2b1f6c1e-8d3a-4c57-9f0e-6a7b8c9d0e1f").put("operation", "UPDATE")
                .put("namespace", "shop").put("name", "storefront");
        req.putObject("kind").put("group", "networking.k8s.io").put("version", "v1").put("kind", "Ingress");
        req.putObject("userInfo").put("username", "system:serviceaccount:argocd:argocd-application-controller");
        req.set("object", ingress(size / 2, "41"));
        req.set("oldObject", ingress(size / 2, "40"));
        req.put("dryRun", false);
        ObjectNode root = f.objectNode().put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
        root.set("request", req);
        return root;
    }

    private static ObjectNode ingress(int size, String resourceVersion) {
        ObjectNode o = JsonNodeFactory.instance.objectNode().put("apiVersion", "networking.k8s.io/v1").put("kind", "Ingress");
        ObjectNode meta = o.putObject("metadata").put("name", "storefront").put("namespace", "shop")
                .put("resourceVersion", resourceVersion);
        meta.putObject("labels").put("team", "web").put("app.kubernetes.io/managed-by", "argocd");
        ObjectNode ann = meta.putObject("annotations").put("alb.ingress.kubernetes.io/group.name", "shared-alb")
                .put("alb.ingress.kubernetes.io/scheme", "internet-facing");
        ArrayNode managed = meta.putArray("managedFields");
        ObjectNode spec = o.putObject("spec").put("ingressClassName", "alb");
        ArrayNode rules = spec.putArray("rules");
        for (int r = 0; r < 10; r++) {
            ObjectNode path = rules.addObject().put("host", "shop" + r + ".example.com").putObject("http")
                    .putArray("paths").addObject().put("path", "/").put("pathType", "Prefix");
            path.putObject("backend").putObject("service").put("name", "web-" + r).putObject("port").put("number", 80);
        }
        int grown = 0;
        for (int m = 0; grown < size / 2; m++) {
            ObjectNode fields = managed.addObject().put("manager", "controller-" + m).put("operation", "Update")
                    .put("time", "2024-05-02T10:15:00Z").put("fieldsType", "FieldsV1").putObject("fieldsV1");
            ObjectNode metaFields = fields.putObject("f:metadata");
            metaFields.putObject("f:labels").putObject("f:owner-" + m);
            metaFields.putObject("f:annotations").putObject("f:example.com/note-" + m);
            fields.putObject("f:spec").putObject("f:rules");
            grown += 260;
        }
        StringBuilder applied = new StringBuilder();
        while (applied.length() < size / 2) {
            applied.append("{\"kind\":\"Ingress\",\"spec\":{\"rules\":[{\"host\":\"shop.example.com\"}]}}");
        }
        ann.put("kubectl.kubernetes.io/last-applied-configuration", applied.toString());
        o.putObject("status").putObject("loadBalancer").putArray("ingress").addObject()
                .put("hostname", "k8s-sharedalb-0123456789.us-east-2.elb.amazonaws.com");
        return o;
    }
}
