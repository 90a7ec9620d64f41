package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.remotewrite.RemoteWriteSink;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admissions over real TLS → recorded state → pipeline → remote write → real Prometheus → PromQL. */
class WebhookPrometheusIT {
    @TempDir
    Path tmp;

    @Test
    void infoSeriesArriveInPrometheus_andEndWhenTheIngressIsDeleted() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        TestWebhook tw = new TestWebhook("""
                kubernetes: {enabled: false}
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                  labels: {ingress: [team, app.kubernetes.io/name], service: [team]}
                """.formatted(certs.serverCert(), certs.serverKey()));
        try (PrometheusProcess prom = PrometheusProcess.start()) {
            RemoteWriteConfig rw = new RemoteWriteConfig("prometheus", prom.remoteWriteUrl(), null, null,
                    RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(), Duration.ofSeconds(10),
                    new RemoteWriteConfig.QueueConfig(10_000, 1, 2000, 1 << 20, Duration.ofMillis(50),
                            Duration.ofMillis(10), Duration.ofMillis(200)));
            WebhookRuntime runtime = tw.runtime(null);
            try (Pipeline pipeline = Pipeline.builder().meters(tw.meters).exporter(runtime.exporter())
                    .sink(RemoteWriteSink.builder().config(rw).meters(tw.meters).build()).build()) {
                runtime.start(pipeline::runOnce, Duration.ofMillis(500));
                HttpsTestClient https = new HttpsTestClient(certs.caCert(), runtime.port());
                for (String f : List.of("ingress-2048-create-v1.json", "service-2048-create-v1beta1.json",
                        "ingress-2048-update-v1.json")) {
                    assertThat(https.post("/validate", Fixtures.bytes(f)).statusCode()).isEqualTo(200);
                }

                List<QueriedSeries> info = prom.queries().awaitQuery("netcost_ingress_info",
                        r -> r.size() == 1 && "shared-public-alb".equals(r.get(0).labels().get("load_balancer_name")));
                assertThat(info.get(0).labelsWithoutName()).isEqualTo(Map.of("namespace", "game-2048",
                        "ingress", "ingress-2048", "ingress_class", "alb", "alb_group", "shared-alb",
                        "load_balancer_name", "shared-public-alb", "scheme", "internet-facing", "target_type", "ip"));
                assertThat(info.get(0).value()).isEqualTo(1.0);

                List<QueriedSeries> backends = prom.queries().awaitQuery("netcost_ingress_backend", r -> r.size() == 3);
                assertThat(backends).extracting(s -> s.labels().get("service") + ":" + s.labels().get("service_port"))
                        .containsExactlyInAnyOrder("fallback:http", "service-2048:80", "api-2048:grpc");
                assertThat(backends).allSatisfy(s -> assertThat(s.labels()).containsEntry("alb_group", "shared-alb"));

                List<QueriedSeries> svc = prom.queries().awaitQuery("netcost_service_info", r -> r.size() == 1);
                assertThat(svc.get(0).labelsWithoutName()).isEqualTo(Map.of("namespace", "game-2048",
                        "service", "service-2048", "type", "LoadBalancer", "load_balancer_type", "external",
                        "target_type", "ip", "scheme", "internet-facing"));
                List<QueriedSeries> labels = prom.queries().awaitQuery("netcost_ingress_labels", r -> r.size() == 1);
                assertThat(labels.get(0).labels()).containsEntry("label_team", "arcade")
                        .containsEntry("label_app_kubernetes_io_name", "app-2048");
                prom.queries().awaitQuery("netcost_service_labels{label_team=\"games\"}", r -> r.size() == 1);

                // A join users write: bytes by ALB group need ingress → backend service.
                List<QueriedSeries> joined = prom.queries().awaitQuery(
                        "netcost_ingress_backend * on (namespace, service) group_left(type) netcost_service_info",
                        r -> r.size() == 1);
                assertThat(joined.get(0).labels()).containsEntry("type", "LoadBalancer");

                assertThat(https.post("/validate", Fixtures.bytes("ingress-2048-delete-v1.json")).statusCode())
                        .isEqualTo(200);
                prom.queries().awaitQuery("netcost_ingress_info or netcost_ingress_backend", List::isEmpty);
                assertThat(prom.queries().query("netcost_service_info", java.time.Instant.now())).hasSize(1);
            } finally {
                runtime.close();
            }
        }
    }
}
