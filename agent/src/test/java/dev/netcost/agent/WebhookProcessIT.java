package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.auth.TlsContexts;
import dev.netcost.core.testing.FreePorts;
import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code netcost webhook} from the shaded jar, as a real process: real TLS, real Prometheus, SIGTERM. */
class WebhookProcessIT {
    private static final String INGRESS_2048 = """
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
              "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
              "kind":{"group":"networking.k8s.io","version":"v1","kind":"Ingress"},
              "resource":{"group":"networking.k8s.io","version":"v1","resource":"ingresses"},
              "name":"ingress-2048","namespace":"game-2048","operation":"CREATE",
              "userInfo":{"username":"admin"},
              "object":{"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                "metadata":{"name":"ingress-2048","namespace":"game-2048","annotations":{
                  "alb.ingress.kubernetes.io/scheme":"internet-facing",
                  "alb.ingress.kubernetes.io/target-type":"ip",
                  "alb.ingress.kubernetes.io/group.name":"shared-alb"}},
                "spec":{"ingressClassName":"alb","rules":[{"http":{"paths":[{"path":"/","pathType":"Prefix",
                  "backend":{"service":{"name":"service-2048","port":{"number":80}}}}]}}]}},
              "dryRun":false}}
            """;

    @TempDir
    Path tmp;

    @Test
    void servesAdmissions_writesInfoSeriesToPrometheus_andStopsOnSigterm() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("tls")));
        int port = FreePorts.loopbackPort();
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            Path cfg = Files.writeString(tmp.resolve("webhook.yaml"), """
                    nodeName: webhook-node
                    interval: 1s
                    exporterTimeout: 500ms
                    kubernetes: {enabled: false}
                    debug: {enabled: false}
                    dataDir: %s
                    remoteWrite:
                      - url: %s
                        queue: {minBackoff: 10ms, maxBackoff: 100ms, batchDeadline: 100ms}
                    webhook:
                      listen: "127.0.0.1:%d"
                      tlsCertFile: %s
                      tlsKeyFile: %s
                    """.formatted(tmp.resolve("data"), prom.remoteWriteUrl(), port, certs.serverCert(),
                    certs.serverKey()));
            Path log = tmp.resolve("webhook.log");
            Process p = AgentJar.start(log, "webhook", "--config", cfg.toString());
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .sslContext(TlsContexts.client(certs.caCert(), null, null, false)).build();
                URI base = URI.create("https://127.0.0.1:" + port);
                PromQueryClient.await("readyz",
                        () -> AgentJar.fetch(http, HttpRequest.newBuilder(base.resolve("/readyz")).build()),
                        r -> r.equals("200 ready"), Duration.ofSeconds(30));
                String answer = AgentJar.fetch(http, HttpRequest.newBuilder(base.resolve("/validate"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(INGRESS_2048)).build());
                assertThat(answer).startsWith("200 ").contains("\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\"",
                        "\"allowed\":true");

                List<QueriedSeries> info = PromQueryClient.await("ingress info in Prometheus",
                        () -> prom.queries().query("netcost_ingress_info", Instant.now()), r -> r.size() == 1,
                        Duration.ofSeconds(30));
                assertThat(info.get(0).labels()).containsEntry("alb_group", "shared-alb")
                        .containsEntry("ingress", "ingress-2048").containsEntry("scheme", "internet-facing");
                prom.queries().awaitQuery("netcost_ingress_backend{service=\"service-2048\",service_port=\"80\"}",
                        r -> r.size() == 1);
                prom.queries().awaitQuery("netcost_agent_exporter_success{exporter=\"webhook\",node=\"webhook-node\"}",
                        r -> r.size() == 1 && r.get(0).value() == 1.0);
                // the leader emits the price book, here the defaults: no pricing section
                prom.queries().awaitQuery("netcost_price_usd_per_hour{resource=\"lcu\",load_balancer_type=\"application\"}",
                        r -> r.size() == 1 && r.get(0).value() == 0.008);
                assertThat(prom.queries().query("netcost_price_usd_per_gb", Instant.now())).hasSize(3);
                assertThat(AgentJar.fetch(http, HttpRequest.newBuilder(base.resolve("/metrics")).build()))
                        .contains("netcost_agent_webhook_admissions_total{kind=\"ingress\",operation=\"CREATE\",result=\"recorded\"} 1.0");

                p.destroy(); // SIGTERM
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("stopped within 10 s").isTrue();
                assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("admission webhook listening on")
                        .contains("stopping: handing over leadership").contains("stopped");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
