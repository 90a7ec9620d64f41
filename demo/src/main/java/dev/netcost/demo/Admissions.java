package dev.netcost.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The Kubernetes API server's side of the demo: a CA and a serving certificate for the webhook (made
 * with openssl, as a cluster's cert-manager would), and the AdmissionReview v1 documents the API server
 * sends when the 2048 example and the shop are applied — two Ingresses in one ALB group, their
 * Services — and when the AWS Load Balancer Controller writes the ALB's DNS name into the Ingresses'
 * status. Each is POSTed over HTTPS to the webhook's {@code /validate}, and the answer must allow it.
 */
final class Admissions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    Admissions(Path dir) {
        this.dir = dir;
    }

    Path cert() {
        return dir.resolve("tls.crt");
    }

    Path key() {
        return dir.resolve("tls.key");
    }

    Path ca() {
        return dir.resolve("ca.crt");
    }

    /** A P-256 CA and a serving certificate for 127.0.0.1 signed by it. */
    void makeCertificates() throws IOException {
        Files.createDirectories(dir);
        String caKey = dir.resolve("ca.key").toString();
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", caKey);
        openssl("req", "-x509", "-new", "-key", caKey, "-subj", "/CN=netcost demo CA", "-days", "1", "-out", ca().toString());
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key().toString());
        String csr = dir.resolve("tls.csr").toString();
        openssl("req", "-new", "-key", key().toString(), "-subj", "/CN=netcost-webhook", "-out", csr);
        Path ext = dir.resolve("ext.cnf");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:netcost-webhook.netcost-system.svc\n"
                + "extendedKeyUsage=serverAuth\n");
        openssl("x509", "-req", "-in", csr, "-CA", ca().toString(), "-CAkey", caKey, "-CAcreateserial", "-days", "1",
                "-extfile", ext.toString(), "-out", cert().toString());
    }

    private static void openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        ChildProcesses.run(cmd);
    }

    /** An HTTPS client trusting only the demo's CA. */
    HttpClient client() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca())) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("netcost-demo-ca", c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The reviews, in the order the API server would send them. */
    static List<ObjectNode> reviews() {
        DemoCluster.Alb alb = DemoCluster.ALB;
        List<ObjectNode> out = new ArrayList<>();
        ObjectNode game = ingress("game-2048", "ingress-2048", "app-2048", "games", "", "service-2048");
        ObjectNode shop = ingress("shop", "shop", "storefront", "shop", "shop.example.com", "storefront");
        out.add(review("CREATE", game, null));
        out.add(review("CREATE", shop, null));
        out.add(review("CREATE", service("game-2048", "service-2048", "NodePort", "app-2048"), null));
        out.add(review("CREATE", service("shop", "storefront", "ClusterIP", "storefront"), null));
        out.add(review("CREATE", service("shop", "cart", "ClusterIP", "cart"), null));
        for (ObjectNode ing : List.of(game, shop)) {
            ObjectNode withStatus = ing.deepCopy();
            ((ObjectNode) withStatus.get("status")).putObject("loadBalancer").putArray("ingress").addObject()
                    .put("hostname", alb.dnsName());
            ObjectNode r = review("UPDATE", withStatus, ing);
            ((ObjectNode) r.get("request")).put("subResource", "status");
            ((ObjectNode) r.get("request").get("userInfo")).put("username",
                    "system:serviceaccount:kube-system:aws-load-balancer-controller");
            out.add(r);
        }
        return out;
    }

    private static ObjectNode ingress(String namespace, String name, String app, String team, String host, String service) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", "networking.k8s.io/v1");
        o.put("kind", "Ingress");
        ObjectNode md = o.putObject("metadata");
        md.put("name", name);
        md.put("namespace", namespace);
        md.put("uid", UUID.nameUUIDFromBytes((namespace + "/" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString());
        md.putObject("labels").put("app.kubernetes.io/name", app).put("team", team);
        md.putObject("annotations")
                .put("alb.ingress.kubernetes.io/scheme", "internet-facing")
                .put("alb.ingress.kubernetes.io/target-type", "ip")
                .put("alb.ingress.kubernetes.io/group.name", DemoCluster.ALB.group());
        ObjectNode spec = o.putObject("spec");
        spec.put("ingressClassName", "alb");
        ObjectNode rule = spec.putArray("rules").addObject();
        if (!host.isEmpty()) {
            rule.put("host", host);
        }
        ObjectNode path = rule.putObject("http").putArray("paths").addObject();
        path.put("path", "/");
        path.put("pathType", "Prefix");
        path.putObject("backend").putObject("service").put("name", service).putObject("port").put("number", 80);
        o.putObject("status").putObject("loadBalancer");
        return o;
    }

    private static ObjectNode service(String namespace, String name, String type, String app) {
        ObjectNode o = JSON.createObjectNode();
        o.put("apiVersion", "v1");
        o.put("kind", "Service");
        ObjectNode md = o.putObject("metadata");
        md.put("name", name);
        md.put("namespace", namespace);
        ObjectNode spec = o.putObject("spec");
        spec.put("type", type);
        spec.putObject("selector").put("app.kubernetes.io/name", app);
        ArrayNode ports = spec.putArray("ports");
        ports.addObject().put("protocol", "TCP").put("port", 80).put("targetPort", 80);
        o.putObject("status").putObject("loadBalancer");
        return o;
    }

    private static ObjectNode review(String operation, ObjectNode object, ObjectNode oldObject) {
        boolean ingress = object.get("kind").asText().equals("Ingress");
        String group = ingress ? "networking.k8s.io" : "";
        String resource = ingress ? "ingresses" : "services";
        ObjectNode r = JSON.createObjectNode();
        r.put("apiVersion", "admission.k8s.io/v1");
        r.put("kind", "AdmissionReview");
        ObjectNode req = r.putObject("request");
        req.put("uid", UUID.randomUUID().toString());
        req.putObject("kind").put("group", group).put("version", "v1").put("kind", object.get("kind").asText());
        req.putObject("resource").put("group", group).put("version", "v1").put("resource", resource);
        req.set("requestKind", req.get("kind").deepCopy());
        req.set("requestResource", req.get("resource").deepCopy());
        req.put("name", object.get("metadata").get("name").asText());
        req.put("namespace", object.get("metadata").get("namespace").asText());
        req.put("operation", operation);
        req.putObject("userInfo").put("username", "kubernetes-admin").putArray("groups").add("system:masters")
                .add("system:authenticated");
        req.set("object", object);
        req.set("oldObject", oldObject == null ? JSON.nullNode() : oldObject);
        req.put("dryRun", false);
        req.putObject("options").put("kind", operation.equals("CREATE") ? "CreateOptions" : "UpdateOptions")
                .put("apiVersion", "meta.k8s.io/v1");
        return r;
    }

    /** POSTs each review and checks that the answer allows it under the same uid; returns how many were sent. */
    int send(HttpClient client, int port) throws IOException, InterruptedException {
        List<ObjectNode> reviews = reviews();
        for (ObjectNode r : reviews) {
            String uid = r.get("request").get("uid").asText();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/validate"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(r))).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode response = answer.statusCode() == 200 ? JSON.readTree(answer.body()).path("response") : null;
            if (response == null || !response.path("allowed").asBoolean() || !uid.equals(response.path("uid").asText())) {
                throw new DemoException("the webhook answered " + answer.statusCode() + " " + answer.body() + " to the "
                        + r.get("request").get("operation").asText() + " of " + r.get("request").get("namespace").asText()
                        + "/" + r.get("request").get("name").asText());
            }
        }
        return reviews.size();
    }
}
