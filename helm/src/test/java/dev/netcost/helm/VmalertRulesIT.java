package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.QueriedSeries;
import dev.netcost.core.testing.VictoriaMetricsProcess;
import dev.netcost.core.testing.VmalertProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rule file as it is, evaluated by vmalert against VictoriaMetrics (MetricsQL, recording results
 * written back by remote write): the worked example of docs/cost-model.md gives the same dollars as
 * under Prometheus. Counters grow linearly and are imported every second, with ten minutes of history.
 */
class VmalertRulesIT {
    private static final double GIB_PER_MIN = (double) (1L << 30) / 60; // bytes/s of 1 GiB per minute
    private static final String P = "netcost_pod_network_bytes_total";
    private static final String LB = "netcost_pod_load_balancer_bytes_total";
    private static final String LBC = "netcost_pod_load_balancer_connections_total";
    private static final String CHECKOUT = "namespace=\"shop\",pod=\"checkout-0\",workload=\"checkout\",workload_kind=\"Deployment\",node=\"node-a\",zone=\"us-east-2a\"";
    private static final String DB = "namespace=\"data\",pod=\"db-0\",workload=\"db\",workload_kind=\"StatefulSet\",node=\"node-b\",zone=\"us-east-2b\"";
    private static final String CART = "namespace=\"shop\",pod=\"cart-0\",workload=\"cart\",workload_kind=\"StatefulSet\",node=\"node-a\",zone=\"us-east-2a\"";
    private static final String GAME = "namespace=\"game-2048\",pod=\"game-0\",workload=\"game\",workload_kind=\"Deployment\",node=\"node-a\",zone=\"us-east-2a\"";
    private static final String WEB = "namespace=\"shop\",pod=\"web-0\",workload=\"web\",workload_kind=\"Deployment\",node=\"node-b\",zone=\"us-east-2b\"";
    private static final String API = "namespace=\"payments\",pod=\"api-0\",workload=\"api\",workload_kind=\"StatefulSet\",node=\"node-b\",zone=\"us-east-2b\"";
    private static final String ALB = "load_balancer=\"k8s-shared-0123456789\",load_balancer_type=\"application\"";
    private static final String NLB = "load_balancer=\"k8s-payments-api-1a2b3c4d5e\",load_balancer_type=\"network\"";

    /** A series growing by {@code perSecond} (0: a constant, e.g. a price or an idle counter at {@code base}). */
    private record Series(String text, double base, double perSecond) {
    }

    private static List<Series> scenario() {
        List<Series> s = new ArrayList<>();
        for (String[] price : new String[][] {
                {"netcost_price_usd_per_gb{resource=\"cross_zone\"}", "0.01"},
                {"netcost_price_usd_per_gb{resource=\"internet_egress\"}", "0.09"},
                {"netcost_price_usd_per_gb{resource=\"nat_gateway\"}", "0.045"},
                {"netcost_price_usd_per_hour{resource=\"load_balancer\",load_balancer_type=\"application\"}", "0.0225"},
                {"netcost_price_usd_per_hour{resource=\"lcu\",load_balancer_type=\"application\"}", "0.008"},
                {"netcost_price_usd_per_hour{resource=\"load_balancer\",load_balancer_type=\"network\"}", "0.0225"},
                {"netcost_price_usd_per_hour{resource=\"lcu\",load_balancer_type=\"network\"}", "0.006"},
                {"netcost_lcu_capacity_per_second{load_balancer_type=\"application\",dimension=\"processed_bytes\"}", "298261.6177777778"},
                {"netcost_lcu_capacity_per_second{load_balancer_type=\"application\",dimension=\"new_connections\"}", "25"},
                {"netcost_lcu_capacity_per_second{load_balancer_type=\"network\",dimension=\"processed_bytes\"}", "298261.6177777778"},
                {"netcost_lcu_capacity_per_second{load_balancer_type=\"network\",dimension=\"new_connections\"}", "800"},
                {"netcost_price_gb_bytes", "1073741824"}}) {
            s.add(new Series(price[0], Double.parseDouble(price[1]), 0));
        }
        s.add(new Series(P + "{" + CHECKOUT + ",direction=\"egress\",class=\"cross_zone\"}", 0, GIB_PER_MIN));
        s.add(new Series(P + "{" + CHECKOUT + ",direction=\"ingress\",class=\"cross_zone\"}", 0, GIB_PER_MIN / 2));
        s.add(new Series(P + "{" + DB + ",direction=\"ingress\",class=\"cross_zone\"}", 0, GIB_PER_MIN));
        s.add(new Series(P + "{" + DB + ",direction=\"egress\",class=\"cross_zone\"}", 0, GIB_PER_MIN / 2));
        s.add(new Series(P + "{" + CART + ",direction=\"egress\",class=\"internet\"}", 0, 2 * GIB_PER_MIN));
        s.add(new Series(P + "{" + CART + ",direction=\"ingress\",class=\"internet\"}", 0, GIB_PER_MIN / 2));
        s.add(new Series(LB + "{" + GAME + "," + ALB + ",direction=\"ingress\",class=\"same_zone\"}", 0, GIB_PER_MIN / 16));
        s.add(new Series(LB + "{" + GAME + "," + ALB + ",direction=\"egress\",class=\"cross_zone\"}", 0, GIB_PER_MIN / 16));
        s.add(new Series(LBC + "{" + GAME + "," + ALB + "}", 0, 10));
        s.add(new Series(LB + "{" + WEB + "," + ALB + ",direction=\"ingress\",class=\"cross_zone\"}", 0, GIB_PER_MIN / 32));
        s.add(new Series(LBC + "{" + WEB + "," + ALB + "}", 0, 90));
        s.add(new Series(LB + "{" + API + "," + NLB + ",direction=\"ingress\",class=\"same_zone\"}", 0, GIB_PER_MIN / 8));
        s.add(new Series(LB + "{" + API + "," + NLB + ",direction=\"egress\",class=\"cross_zone\"}", 0, GIB_PER_MIN / 8));
        s.add(new Series(LBC + "{" + API + "," + NLB + "}", 0, 400));
        s.add(new Series("netcost_pod_labels{namespace=\"shop\",pod=\"checkout-0\",label_team=\"shop-team\"}", 1, 0));
        s.add(new Series("netcost_pod_labels{namespace=\"shop\",pod=\"cart-0\",label_team=\"shop-team\"}", 1, 0));
        s.add(new Series("netcost_pod_labels{namespace=\"data\",pod=\"db-0\",label_team=\"data-team\"}", 1, 0));
        s.add(new Series("netcost_pod_labels{namespace=\"game-2048\",pod=\"game-0\",label_team=\"games\"}", 1, 0));
        s.add(new Series("netcost_pod_labels{namespace=\"shop\",pod=\"web-0\"}", 1, 0));
        s.add(new Series("netcost_pod_labels{namespace=\"payments\",pod=\"api-0\",label_team=\"payments\"}", 1, 0));
        return s;
    }

    @Test
    void vmalertRecordsTheWorkedExample_fromTheRuleFileAsItIs() throws Exception {
        List<Series> scenario = scenario();
        long zeroAt = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
        HttpClient http = HttpClient.newHttpClient();
        ScheduledExecutorService importer = Executors.newSingleThreadScheduledExecutor();
        try (VictoriaMetricsProcess vm = VictoriaMetricsProcess.start();
             VmalertProcess vmalert = VmalertProcess.start(RecordingRulesPromtoolTest.RULES, vm, Duration.ofSeconds(1))) {
            StringBuilder history = new StringBuilder();
            for (long t = zeroAt; t < System.currentTimeMillis(); t += 15_000) {
                lines(scenario, zeroAt, t, history);
            }
            post(http, vm, history.toString());
            importer.scheduleAtFixedRate(() -> {
                StringBuilder now = new StringBuilder();
                lines(scenario, zeroAt, System.currentTimeMillis(), now);
                post(http, vm, now.toString());
            }, 0, 1, TimeUnit.SECONDS);

            // Chained rules see their inputs one evaluation later under vmalert: wait until all agree.
            Map<String, Double> expected = new LinkedHashMap<>();
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"checkout-0\",cost_type=\"cross_zone\"}", 0.90);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"db-0\",cost_type=\"cross_zone\"}", 0.90);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"cart-0\",cost_type=\"internet_egress\"}", 10.80);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"cart-0\",cost_type=\"nat_gateway\"}", 6.75);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"api-0\",cost_type=\"cross_zone\"}", 0.075);
            expected.put("load_balancer:netcost_lcu:rate5m{load_balancer=\"k8s-shared-0123456789\"}", 9.375);
            expected.put("load_balancer:netcost_cost_usd_per_hour:rate5m{load_balancer=\"k8s-shared-0123456789\"}", 0.0975);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"game-0\",cost_type=\"load_balancer\"}", 0.0975 * 7.9 / 13.375);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"web-0\",cost_type=\"load_balancer\"}", 0.0975 * 5.475 / 13.375);
            expected.put("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"api-0\",cost_type=\"load_balancer\"}", 0.1125);
            expected.put("namespace:netcost_network_cost_usd_per_hour:rate5m{namespace=\"shop\",cost_type=\"load_balancer\"}", 0.0975 * 5.475 / 13.375);
            expected.put("namespace_workload:netcost_network_cost_usd_per_hour:rate5m{workload=\"cart\",cost_type=\"nat_gateway\"}", 6.75);
            expected.put("team:netcost_network_cost_usd_per_hour:rate5m{team=\"shop-team\",cost_type=\"cross_zone\"}", 0.90);
            expected.put("team:netcost_network_cost_usd_per_hour:rate5m{team=\"games\",cost_type=\"load_balancer\"}", 0.0975 * 7.9 / 13.375);
            expected.put("sum(team:netcost_network_cost_usd_per_hour:rate5m)", 19.635);
            expected.put("sum(namespace:netcost_network_cost_usd_per_hour:rate5m)", 19.635);

            Map<String, Double> got = PromQueryClient.await("vmalert's recorded costs", () -> values(vm, expected.keySet()),
                    v -> expected.entrySet().stream().allMatch(e -> v.get(e.getKey()) != null
                            && Math.abs(v.get(e.getKey()) - e.getValue()) <= 0.01 * e.getValue()),
                    Duration.ofSeconds(90));
            expected.forEach((q, want) -> assertThat(got.get(q)).as(q).isCloseTo(want, withinPercentage(1)));
            // the split is exact whatever the rate: the shares of the ALB add up to its cost
            assertThat(got.get("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"game-0\",cost_type=\"load_balancer\"}")
                    / got.get("load_balancer:netcost_cost_usd_per_hour:rate5m{load_balancer=\"k8s-shared-0123456789\"}"))
                    .isCloseTo(7.9 / 13.375, within(1e-3));
        } finally {
            importer.shutdownNow();
        }
    }

    private static void lines(List<Series> scenario, long zeroAt, long t, StringBuilder out) {
        for (Series s : scenario) {
            out.append(s.text()).append(' ').append(s.base() + s.perSecond() * (t - zeroAt) / 1000.0)
                    .append(' ').append(t).append('\n');
        }
    }

    private static void post(HttpClient http, VictoriaMetricsProcess vm, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(vm.baseUrl().resolve("api/v1/import/prometheus"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("import: HTTP " + r.statusCode() + " " + r.body());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Each query's single value now; a query with no or several series is left out. */
    private static Map<String, Double> values(VictoriaMetricsProcess vm, Iterable<String> queries) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String q : queries) {
            List<QueriedSeries> r = vm.queries().query(q, Instant.now());
            if (r.size() == 1) {
                out.put(q, r.get(0).value());
            }
        }
        return out;
    }
}
