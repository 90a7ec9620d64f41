package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.PricingConfig;
import dev.netcost.core.testing.Promtool;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cost model in the chart: price book and pod labels in the agents' config, PrometheusRule, dashboards, PodMonitor. */
class CostChartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    private Chart render(String values) throws Exception {
        return Chart.render(tmp, values, Map.of());
    }

    private static JsonNode tree(Object o) {
        return JSON.valueToTree(o);
    }

    private static List<String> records(JsonNode groups) {
        List<String> out = new ArrayList<>();
        groups.forEach(g -> g.get("rules").forEach(r -> out.add(r.has("record") ? r.get("record").asText()
                : r.get("alert").asText())));
        return out;
    }

    @Test
    void defaults_renderNoMonitoringObjects_copyTheTeamLabel_andLeaveThePriceBookToTheAgent() throws Exception {
        Chart c = render("");
        assertThat(c.generic("PrometheusRule")).isEmpty();
        assertThat(c.generic("PodMonitor")).isEmpty();
        assertThat(c.find(ConfigMap.class, "-dashboards")).isEmpty();
        AgentConfig node = c.agentConfig("-node");
        assertThat(node.labels().pod()).containsExactly("team");
        AgentConfig webhook = c.agentConfig("-webhook");
        assertThat(webhook.pricing()).isEqualTo(PricingConfig.DEFAULT);
        // the webhook's pricing: section is not the node's business
        assertThat(node.pricing().configured()).isFalse();
    }

    @Test
    void pricingValues_reachTheWebhooksPriceBook_only_andRollItsPods() throws Exception {
        String values = """
                pricing:
                  gbBytes: 1000000000
                  crossZonePerGb: 0.02
                  natGateway: {enabled: false}
                  nlb: {perLcuHour: 0.0072, lcuNewConnectionsPerSecond: 1000}
                """;
        Chart c = render(values);
        PricingConfig p = c.agentConfig("-webhook").pricing();
        assertThat(p.configured()).isTrue();
        assertThat(p.crossZonePerGb()).isEqualByComparingTo("0.02");
        assertThat(p.natGateway().enabled()).isFalse();
        assertThat(p.nlb().perLcuHour()).isEqualByComparingTo("0.0072");
        // Helm reads numbers as floats and may write them back as 1e+09: the agent still reads them exactly
        assertThat(p.gbBytes()).isEqualTo(1_000_000_000);
        assertThat(p.nlb().lcuNewConnectionsPerSecond()).isEqualByComparingTo("1000");
        assertThat(p.alb()).isEqualTo(PricingConfig.DEFAULT.alb());
        assertThat(c.agentConfig("-node").pricing().configured()).isFalse();

        String before = render("").one(Deployment.class, "-webhook").getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/cost-config");
        String after = c.one(Deployment.class, "-webhook").getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/cost-config");
        assertThat(after).isNotBlank().isNotEqualTo(before);
    }

    @Test
    void teamLabelAndPodLabels_becomeTheNodeAgentsAllowList_andRollItsPods() throws Exception {
        Chart c = render("teamLabel: example.com/team\npodLabelKeys: [app.kubernetes.io/part-of, example.com/team]");
        assertThat(c.agentConfig("-node").labels().pod()).containsExactly("example.com/team", "app.kubernetes.io/part-of");
        String before = render("").one(DaemonSet.class, "-node").getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/cost-config");
        assertThat(c.one(DaemonSet.class, "-node").getSpec().getTemplate().getMetadata().getAnnotations()
                .get("checksum/cost-config")).isNotEqualTo(before);
        assertThat(render("teamLabel: ''").agentConfig("-node").labels().pod()).isEmpty();
    }

    @Test
    void prometheusRule_carriesTheRuleFileAsItIs_withTheSelectorsLabels() throws Exception {
        Chart c = render("prometheusRule: {enabled: true, labels: {release: kube-prometheus-stack}}");
        GenericKubernetesResource rule = c.generic("PrometheusRule").get(0);
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack")
                .containsEntry("app.kubernetes.io/name", "netcost-agent");
        JsonNode file = YAML.readTree(RecordingRulesPromtoolTest.RULES.toFile()).get("groups");
        assertThat(tree(rule.getAdditionalProperties().get("spec")).get("groups")).isEqualTo(file);
    }

    @Test
    void anotherTeamLabel_isJoinedUnderItsSanitizedName_andPassesPromtool() throws Exception {
        Chart c = render("prometheusRule: {enabled: true}\nteamLabel: example.com/team-name");
        JsonNode groups = tree(c.generic("PrometheusRule").get(0).getAdditionalProperties().get("spec")).get("groups");
        String team = "";
        for (JsonNode r : groups.get(0).get("rules")) {
            if (r.path("record").asText().startsWith("team:")) {
                team = r.get("expr").asText();
            }
        }
        assertThat(team).contains("group_left (label_example_com_team_name)", "\"label_example_com_team_name\"")
                .doesNotContain("label_team\"");
        Path file = tmp.resolve("rendered.rules.yml");
        Files.writeString(file, YAML.writeValueAsString(Map.of("groups", groups)));
        Promtool.Result check = Promtool.checkRules(file);
        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void noTeamLabel_leavesOnlyTheTeamRuleOut() throws Exception {
        Chart c = render("prometheusRule: {enabled: true, namespace: monitoring}\nteamLabel: ''");
        GenericKubernetesResource rule = c.generic("PrometheusRule").get(0);
        assertThat(rule.getMetadata().getNamespace()).isEqualTo("monitoring");
        List<String> expected = records(YAML.readTree(RecordingRulesPromtoolTest.RULES.toFile()).get("groups"));
        expected.remove("team:netcost_network_cost_usd_per_hour:rate5m");
        assertThat(records(tree(rule.getAdditionalProperties().get("spec")).get("groups")))
                .containsExactlyElementsOf(expected).hasSize(17);
    }

    @Test
    void dashboards_areAConfigMapForTheGrafanaSidecar_holdingTheDashboardJson() throws Exception {
        Chart c = render("dashboards: {enabled: true, annotations: {grafana_folder: FinOps}, labels: {team: platform}}");
        ConfigMap cm = c.one(ConfigMap.class, "-dashboards");
        assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1").containsEntry("team", "platform");
        assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "FinOps");
        assertThat(cm.getData()).containsOnlyKeys("netcost-network-cost.json");
        JsonNode dashboard = JSON.readTree(cm.getData().get("netcost-network-cost.json"));
        assertThat(dashboard).isEqualTo(JSON.readTree(Chart.DIR.resolve("files/dashboards/netcost-network-cost.json").toFile()));
        assertThat(dashboard.get("uid").asText()).isEqualTo("netcost-network-cost");
    }

    @Test
    void podMonitor_scrapesEveryNetcostPodsDebugPort_asJobNetcostAgent() throws Exception {
        Chart c = render("podMonitor: {enabled: true, interval: 15s, labels: {release: kube-prometheus-stack}}");
        JsonNode pm = tree(c.generic("PodMonitor").get(0));
        assertThat(pm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        assertThat(pm.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo(Chart.NAMESPACE);
        JsonNode endpoint = pm.at("/spec/podMetricsEndpoints/0");
        assertThat(endpoint.get("port").asText()).isEqualTo("debug");
        assertThat(endpoint.get("path").asText()).isEqualTo("/metrics");
        assertThat(endpoint.get("interval").asText()).isEqualTo("15s");
        assertThat(endpoint.get("relabelings")).anySatisfy(r -> {
            assertThat(r.get("targetLabel").asText()).isEqualTo("job");
            assertThat(r.get("replacement").asText()).isEqualTo("netcost-agent");
        });
        // the selector matches the node agents' and the webhook's pods, and both name a port "debug"
        Map<String, String> selector = JSON.convertValue(pm.at("/spec/selector/matchLabels"), Map.class);
        var ds = c.one(DaemonSet.class, "-node").getSpec().getTemplate();
        var dep = c.one(Deployment.class, "-webhook").getSpec().getTemplate();
        assertThat(ds.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(dep.getMetadata().getLabels()).containsAllEntriesOf(selector);
        assertThat(ds.getSpec().getContainers().get(0).getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("debug"));
        assertThat(dep.getSpec().getContainers().get(0).getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("debug"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "pricing: {crossZonePerGb: -0.01}",
            "pricing: {alb: {lcuNewConnectionsPerSecond: 0}}",
            "pricing: {elb: {perHour: 0.02}}",
            "pricing: {natGateway: {enabled: maybe}}",
            "teamLabel: 'team name'",
            "prometheusRule: {enabled: true, selector: {}}",
            "podMonitor: {interval: 30}"})
    void schemaRejectsBadCostValues(String values) {
        assertThatThrownBy(() -> render(values)).hasMessageContaining("values don't meet the specifications of the schema");
    }
}
