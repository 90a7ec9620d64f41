package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodLabelsExporterTest {
    private static final AgentConfig CONFIG = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
            kubernetes: {enabled: false}
            labels: {pod: [team, app.kubernetes.io/name]}
            pods:
              - {namespace: shop, name: web-0, ip: 10.0.0.7, labels: {team: payments, app.kubernetes.io/name: web, tier: fe}}
              - {namespace: shop, name: batch-1, ip: 10.0.0.8, labels: {team: ""}}
            """);

    private static List<String> collect(List<String> keys) {
        List<String> out = new ArrayList<>();
        try (StaticClusterMetadata m = new StaticClusterMetadata(CONFIG)) {
            new PodLabelsExporter(m, keys).collect((l, v, ts) -> out.add(l + " " + v));
        }
        return out;
    }

    @Test
    void everyLocalPod_getsOneSeries_withTheAllowListedLabelsOnly_ksmStyle() {
        assertThat(collect(CONFIG.labels().pod())).containsExactly(
                "netcost_pod_labels{label_app_kubernetes_io_name=\"web\",label_team=\"payments\",namespace=\"shop\",pod=\"web-0\"} 1.0",
                // unlabelled (or empty) is no label, and the pod still has its series for joins
                "netcost_pod_labels{namespace=\"shop\",pod=\"batch-1\"} 1.0");
    }

    @Test
    void noAllowListedKey_emitsNothing() {
        assertThat(collect(List.of())).isEmpty();
    }
}
