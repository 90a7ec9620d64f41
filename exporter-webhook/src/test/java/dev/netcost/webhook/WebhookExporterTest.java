package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookExporterTest {
    private final RecordedObjects objects = new RecordedObjects(false);
    private final ResourceParser parser = new ResourceParser(List.of("team", "app.kubernetes.io/name"), List.of("team"));
    private final AdmissionHandler handler = new AdmissionHandler(parser, objects,
            new WebhookMetrics(new SimpleMeterRegistry(), objects, () -> true), Clock.systemUTC());
    private final WebhookExporter exporter = new WebhookExporter(objects, parser, null);

    private void admit(String fixture) {
        assertThat(handler.handle(new ByteArrayInputStream(Fixtures.bytes(fixture))).status()).isEqualTo(200);
    }

    private List<String> collect() {
        List<String> out = new ArrayList<>();
        exporter.collect((labels, value, ts) -> {
            assertThat(value).isEqualTo(1.0);
            out.add(labels.toString());
        });
        return out;
    }

    @Test
    void emitsTheContractSeries_forThe2048IngressAndService() {
        admit("ingress-2048-update-v1.json");
        admit("service-2048-create-v1beta1.json");

        assertThat(collect()).containsExactlyInAnyOrder(
                "netcost_ingress_info{alb_group=\"shared-alb\",ingress=\"ingress-2048\",ingress_class=\"alb\","
                        + "load_balancer_name=\"shared-public-alb\",namespace=\"game-2048\",scheme=\"internet-facing\","
                        + "target_type=\"ip\"}",
                "netcost_ingress_backend{alb_group=\"shared-alb\",ingress=\"ingress-2048\",namespace=\"game-2048\","
                        + "service=\"fallback\",service_port=\"http\"}",
                "netcost_ingress_backend{alb_group=\"shared-alb\",host=\"2048.example.com\",ingress=\"ingress-2048\","
                        + "namespace=\"game-2048\",path=\"/\",service=\"service-2048\",service_port=\"80\"}",
                "netcost_ingress_backend{alb_group=\"shared-alb\",host=\"2048.example.com\",ingress=\"ingress-2048\","
                        + "namespace=\"game-2048\",path=\"/api\",service=\"api-2048\",service_port=\"grpc\"}",
                "netcost_ingress_labels{ingress=\"ingress-2048\",label_app_kubernetes_io_name=\"app-2048\","
                        + "label_team=\"arcade\",namespace=\"game-2048\"}",
                "netcost_service_info{load_balancer_type=\"external\",namespace=\"game-2048\",scheme=\"internet-facing\","
                        + "service=\"service-2048\",target_type=\"ip\",type=\"LoadBalancer\"}",
                "netcost_service_labels{label_team=\"games\",namespace=\"game-2048\",service=\"service-2048\"}");
    }

    @Test
    void ingressWithoutGroup_isItsOwnAlb() {
        admit("ingress-dryrun-v1.json"); // dry run: nothing
        String own = Fixtures.text("ingress-dryrun-v1.json").replace("\"dryRun\": true", "\"dryRun\": false");
        assertThat(handler.handle(new ByteArrayInputStream(own.getBytes())).status()).isEqualTo(200);

        assertThat(collect()).contains("netcost_ingress_backend{alb_group=\"game-2048/dry-ingress\",ingress=\"dry-ingress\","
                + "namespace=\"game-2048\",service=\"service-2048\",service_port=\"80\"}");
    }

    @Test
    void ingressClassParams_setTheGroupAndScheme_overTheAnnotations() {
        admit("ingressclass-create-v1.json");
        admit("ingressclassparams-create-v1.json");
        String ingress = Fixtures.text("ingress-2048-create-v1.json").replace("\"ingressClassName\": \"alb\"",
                "\"ingressClassName\": \"alb-shared\"");
        handler.handle(new ByteArrayInputStream(ingress.getBytes()));

        List<String> series = collect();
        assertThat(series).anySatisfy(s -> assertThat(s).startsWith("netcost_ingress_info{")
                .contains("alb_group=\"platform-alb\"", "scheme=\"internal\"", "ingress_class=\"alb-shared\""));
        assertThat(series).noneMatch(s -> s.contains("shared-alb"));
    }

    @Test
    void loadBalancersDeclaredInTheConfig_joinTheIngressesThatNameThem_withoutDiscovery() {
        TestWebhook tw = new TestWebhook("""
                kubernetes: {enabled: false}
                loadBalancers:
                  - name: k8s-sharedalb-6e1f7c2a9b
                    id: "50dc6c495c0c9188"
                    addresses: [{ip: 10.0.3.50, zone: us-east-2a}]
                webhook: {tlsCertFile: /nonexistent/tls.crt, tlsKeyFile: /nonexistent/tls.key}
                """);
        WebhookRuntime runtime = tw.runtime(null);
        AdmissionHandler admissions = new AdmissionHandler(parser, runtime.objects(),
                new WebhookMetrics(new SimpleMeterRegistry(), runtime.objects(), () -> true), Clock.systemUTC());
        String withStatus = Fixtures.text("ingress-2048-create-v1.json").replace("\"status\": {\"loadBalancer\": {}}",
                "\"status\": {\"loadBalancer\": {\"ingress\": [{\"hostname\":"
                        + " \"k8s-sharedalb-6e1f7c2a9b-1234567890.us-east-2.elb.amazonaws.com\"}]}}");
        assertThat(withStatus).contains("1234567890.us-east-2");
        assertThat(admissions.handle(new ByteArrayInputStream(withStatus.getBytes())).status()).isEqualTo(200);

        List<String> series = new ArrayList<>();
        runtime.exporter().collect((labels, value, ts) -> series.add(labels.toString()));

        assertThat(series).contains("netcost_load_balancer_info{alb_group=\"shared-alb\",dns_name="
                + "\"k8s-sharedalb-6e1f7c2a9b-1234567890.us-east-2.elb.amazonaws.com\",load_balancer=\"k8s-sharedalb-6e1f7c2a9b\","
                + "load_balancer_id=\"50dc6c495c0c9188\",load_balancer_type=\"application\",scheme=\"internet-facing\"}");
        runtime.close();
    }

    @Test
    void deletedObjects_areNoLongerEmitted() {
        admit("ingress-2048-create-v1.json");
        admit("ingress-2048-delete-v1.json");
        assertThat(collect()).isEmpty();
    }

    @Test
    void duplicatePaths_differingOnlyInPathType_areOneSeries() {
        String dup = Fixtures.text("ingress-2048-create-v1.json").replace(
                "{\"path\": \"/\", \"pathType\": \"Prefix\", \"backend\": {\"service\": {\"name\": \"service-2048\", \"port\": {\"number\": 80}}}}",
                "{\"path\": \"/\", \"pathType\": \"Prefix\", \"backend\": {\"service\": {\"name\": \"service-2048\", \"port\": {\"number\": 80}}}},"
                        + "{\"path\": \"/\", \"pathType\": \"Exact\", \"backend\": {\"service\": {\"name\": \"service-2048\", \"port\": {\"number\": 80}}}}");
        handler.handle(new ByteArrayInputStream(dup.getBytes()));
        assertThat(objects.ingresses.get(new ObjectKey("game-2048", "ingress-2048")).backends()).hasSize(2);
        assertThat(collect().stream().filter(s -> s.startsWith("netcost_ingress_backend"))).hasSize(1);
    }

    @Test
    void noAllowListedLabels_meansNoLabelsSeries() {
        WebhookExporter plain = new WebhookExporter(objects, new ResourceParser(List.of(), List.of()), null);
        admit("service-2048-create-v1beta1.json");
        List<Labels> out = new ArrayList<>();
        plain.collect((l, v, t) -> out.add(l));
        assertThat(out).extracting(Labels::metricName).containsExactly("netcost_service_info");
    }
}
