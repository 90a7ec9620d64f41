package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.remotewrite.RemoteWriteSink;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kubelet-like HTTPS endpoint → cadvisor exporter → pipeline → remote write → real Prometheus → PromQL. */
class CadvisorPrometheusIT {
    @TempDir
    Path dir;

    @Test
    void podNetworkSeriesArriveInPrometheus_withMetadataLabels_andCadvisorsTimestamps() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectory(dir.resolve("certs")));
        Path token = dir.resolve("token");
        Files.writeString(token, "token-1");
        try (FakeKubelet kubelet = new FakeKubelet(certs); PrometheusProcess prom = PrometheusProcess.start()) {
            // cAdvisor stamps its samples; make them recent enough for Prometheus' head block
            long ts = System.currentTimeMillis() - 5_000;
            kubelet.payload = new String(CadvisorTextParserTest.fixture("kubelet-basic.prom"),
                    java.nio.charset.StandardCharsets.UTF_8)
                    .replace("1717171716512", Long.toString(ts)).replace("1717171716000", Long.toString(ts - 1))
                    .replace("1717171717000", Long.toString(ts)).replace("1717171715000", Long.toString(ts))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            TestExporters t = new TestExporters("""
                    nodeName: node-a
                    zone: eu-west-1a
                    pods:
                      - {namespace: shop, name: checkout-7d9f8b6c5-x2k4q, ip: 10.0.0.7, workload: checkout, workloadKind: Deployment}
                    cadvisor:
                      url: %s
                      bearerTokenFile: %s
                      caFile: %s
                    """.formatted(kubelet.url(), token, certs.caCert()));
            RemoteWriteConfig rw = new RemoteWriteConfig("prometheus", prom.remoteWriteUrl(), null, null,
                    RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(), Duration.ofSeconds(10),
                    RemoteWriteConfig.QueueConfig.DEFAULT);
            RemoteWriteSink sink = RemoteWriteSink.builder().config(rw).meters(t.meters).build();
            try (Pipeline pipeline = Pipeline.builder().meters(t.meters).clock(Clock.systemUTC()).nodeName("node-a")
                    .externalLabels(Map.of("cluster", "eks-prod", "job", "netcost"))
                    .exporter(t.exporter).sink(sink).build()) {
                assertThat(pipeline.runOnce().success()).containsEntry("cadvisor", true);
                assertThat(pipeline.flush(Duration.ofSeconds(30))).isTrue();

                List<QueriedSeries> got = prom.queries().awaitRawSamples(
                        "container_network_receive_bytes_total", Instant.ofEpochMilli(ts - 60_000),
                        Instant.ofEpochMilli(ts + 1), r -> r.size() == 3);
                QueriedSeries eth1 = got.stream().filter(s -> "eth1".equals(s.labels().get("interface"))).findFirst()
                        .orElseThrow();
                assertThat(eth1.labels()).isEqualTo(Map.of("__name__", "container_network_receive_bytes_total",
                        "namespace", "shop", "pod", "checkout-7d9f8b6c5-x2k4q", "interface", "eth1", "node", "node-a",
                        "zone", "eu-west-1a", "workload", "checkout", "workload_kind", "Deployment",
                        "cluster", "eks-prod", "job", "netcost"));
                assertThat(eth1.samples()).singleElement().satisfies(s -> {
                    assertThat(s.value()).isEqualTo(4096.0);
                    assertThat(s.timestampMillis()).isEqualTo(ts);
                });
                QueriedSeries cart = got.stream().filter(s -> "cart-0".equals(s.labels().get("pod"))).findFirst()
                        .orElseThrow();
                assertThat(cart.labels()).containsEntry("workload", "cart-0").containsEntry("workload_kind", "Pod");
                assertThat(cart.samples().get(0).value()).isEqualTo(52428800.0);

                List<QueriedSeries> all = prom.queries().awaitQuery(
                        "count({__name__=~\"container_network_.*\",job=\"netcost\",cluster=\"eks-prod\"})", Instant.ofEpochMilli(ts + 1),
                        r -> r.size() == 1 && r.get(0).value() == 13.0);
                assertThat(all.get(0).value()).isEqualTo(13.0);
            }
        }
    }
}
