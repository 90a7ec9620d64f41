package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard's shape, and every panel query is PromQL that promtool accepts. */
class DashboardTest {
    static final Path DASHBOARD = Chart.DIR.resolve("files/dashboards/netcost-network-cost.json");

    @TempDir
    Path tmp;

    private static JsonNode dashboard() throws Exception {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** The panels that query (rows do not), in order. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        dashboard.get("panels").forEach(p -> {
            if (!p.get("type").asText().equals("row")) {
                out.add(p);
            }
        });
        return out;
    }

    @Test
    void datasourceIsAVariable_andEveryPanelAndTargetUsesIt() throws Exception {
        JsonNode d = dashboard();
        JsonNode ds = d.at("/templating/list/0");
        assertThat(ds.get("name").asText()).isEqualTo("datasource");
        assertThat(ds.get("type").asText()).isEqualTo("datasource");
        assertThat(ds.get("query").asText()).isEqualTo("prometheus");
        assertThat(panels(d)).isNotEmpty().allSatisfy(p -> {
            assertThat(p.at("/datasource/uid").asText()).as(p.get("title").asText()).isEqualTo("${datasource}");
            assertThat(p.get("targets")).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.at("/datasource/uid").asText()).isEqualTo("${datasource}"));
        });
    }

    @Test
    void panelsHaveUniqueIdsAndTitles_andFitTheGrid() throws Exception {
        Set<Integer> ids = new HashSet<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode p : dashboard().get("panels")) {
            assertThat(ids.add(p.get("id").asInt())).as("id %s", p.get("id")).isTrue();
            assertThat(titles.add(p.get("title").asText())).as("title %s", p.get("title")).isTrue();
            JsonNode g = p.get("gridPos");
            assertThat(g.get("x").asInt() + g.get("w").asInt()).as(p.get("title").asText()).isLessThanOrEqualTo(24);
        }
    }

    @Test
    void coversCostPerNamespaceWorkloadTeam_theLoadBalancerSplit_talkers_classes_andHealth() throws Exception {
        StringBuilder exprs = new StringBuilder();
        panels(dashboard()).forEach(p -> p.get("targets").forEach(t -> exprs.append(t.get("expr").asText()).append('\n')));
        assertThat(exprs).contains("namespace:netcost_network_cost_usd_per_hour:rate5m",
                "namespace_workload:netcost_network_cost_usd_per_hour:rate5m",
                "team:netcost_network_cost_usd_per_hour:rate5m",
                "load_balancer:netcost_cost_usd_per_hour:rate5m",
                "pod_load_balancer:netcost_cost_usd_per_hour:rate5m",
                "class=\"cross_zone\"", "sum by (class, direction)", "netcost_agent_exporter_success");
    }

    @Test
    void everyQuery_withItsVariablesSubstituted_passesPromtool() throws Exception {
        List<Map<String, String>> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode p : panels(dashboard())) {
            for (JsonNode t : p.get("targets")) {
                Map<String, String> rule = new LinkedHashMap<>();
                rule.put("record", "dashboard_query_" + i++);
                rule.put("expr", substitute(t.get("expr").asText()));
                rules.add(rule);
            }
        }
        for (JsonNode v : dashboard().at("/templating/list")) {
            if (v.get("type").asText().equals("query")) {
                String q = v.at("/query/query").asText();
                assertThat(q).startsWith("label_values(");
                // label_values(selector, label): the selector must be PromQL
                rules.add(Map.of("record", "variable_" + v.get("name").asText(),
                        "expr", substitute(q.substring("label_values(".length(), q.lastIndexOf(',')))));
            }
        }
        Path file = tmp.resolve("dashboard.rules.yml");
        Files.writeString(file, new ObjectMapper(new YAMLFactory()).writeValueAsString(
                Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
        Promtool.Result r = Promtool.checkRules(file);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: " + rules.size() + " rules found");
    }

    /** The dashboard's variables as Grafana fills them with "All" selected. */
    static String substitute(String expr) {
        return expr.replace("$cluster", ".*").replace("$namespace", ".*").replace("$__rate_interval", "5m");
    }
}
