package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.model.Labels;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.remotewrite.RemoteWriteSink;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.core.testing.QueriedSample;
import dev.netcost.core.testing.QueriedSeries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's cost rules on a real Prometheus, fed the way a cluster feeds it. Two {@code netcost node}
 * processes (the shaded jar) count real kernel traffic in network namespaces: node-a (us-east-2a)
 * holds checkout and cart, node-b (us-east-2b) holds db-0; checkout sends 4 MB to db-0 (cross-zone,
 * counted on both nodes), 1 MB to cart (same zone), and cart 2 MB to an "internet" host. Only node-a
 * has a {@code pricing:} section, so the price book arrives once. Both remote-write to Prometheus,
 * which evaluates {@code helm/netcost-agent/files/netcost.rules.yml} every second.
 *
 * <p>The load-balancer series ({@code netcost_pod_load_balancer_{bytes,connections}_total}) are not
 * measured on this branch yet (they come with the load-balancer exporter work): the test remote-writes
 * them synthetically, with six minutes of history so that their 5m rates are the counters' slopes,
 * for a shared ALB (game-2048 and shop/web) and an NLB in front of payments/api-0.
 *
 * <p>Once every sender has stopped and flushed, the test picks a rule evaluation after that and checks,
 * at its timestamp: every rule output and every dashboard panel query answers; the pod costs equal
 * the documented formula evaluated independently on the raw series; the ALB is split by LCU share.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CostRulesPrometheusIT {
    static final Path RULES = Path.of("..", "helm", "netcost-agent", "files", "netcost.rules.yml");
    static final Path DASHBOARD = Path.of("..", "helm", "netcost-agent", "files", "dashboards", "netcost-network-cost.json");
    private static final double GIB = 1L << 30;
    private static final String CHECKOUT = "checkout-7d9f8b6c5-x2x4q";
    private static final String GAME = "deployment-2048-6d8f9c7b5-k2x7q";
    private static final String WEB = "web-5f7d8c9b4-q8w2e";
    private static final String ALB = "k8s-shared-0123456789";
    private static final String NLB = "k8s-payments-api-1a2b3c4d5e";
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private Path tmp;
    private final NetnsLab lab = new NetnsLab();
    private PrometheusProcess prom;
    private final List<Process> agents = new ArrayList<>();
    private Pipeline synthetic;
    /** The rule evaluation every check reads: after the last sample of every sender. */
    private Instant at;

    @BeforeAll
    void runTheScenario(@TempDir Path dir) throws Exception {
        tmp = dir;
        prom = PrometheusProcess.startWithRules(RULES, Duration.ofSeconds(1));
        buildTopology();
        String url = prom.remoteWriteUrl().toString();
        agents.add(startAgent("node-a", nodeConfig("node-a", "us-east-2a", url, """
                pricing: {}   # the one price book of this "cluster"
                pods:
                  - {namespace: shop, name: %s, ip: 10.0.1.17, workload: checkout, workloadKind: Deployment, labels: {team: shop-team}}
                  - {namespace: shop, name: cart-0, ip: 10.0.2.18, workload: cart, workloadKind: StatefulSet, labels: {team: shop-team}}
                """.formatted(CHECKOUT))));
        agents.add(startAgent("node-b", nodeConfig("node-b", "us-east-2b", url, """
                pods:
                  - {namespace: data, name: db-0, ip: 10.1.5.5, workload: db, workloadKind: StatefulSet, labels: {team: data-team}}
                """)));
        // Traffic only once both agents count: their pods' counters are in Prometheus.
        awaitNow("count(netcost_pod_network_bytes_total{pod=~\"" + CHECKOUT + "|db-0\",direction=\"egress\","
                + "class=\"cross_zone\"})", r -> r.size() == 1 && r.get(0).value() == 2);

        synthetic = syntheticLoadBalancerSeries(url);
        synthetic.start();

        lab.spawn("db", "socat", "-u", "TCP-LISTEN:5001,reuseaddr", "GOPEN:/dev/null");
        lab.spawn("cart", "socat", "-u", "TCP-LISTEN:5002,reuseaddr", "GOPEN:/dev/null");
        lab.spawn("inet", "socat", "-u", "TCP-LISTEN:5003,reuseaddr", "GOPEN:/dev/null");
        awaitListening("db", 5001);
        awaitListening("cart", 5002);
        awaitListening("inet", 5003);
        send("checkout", "10.1.5.5:5001", 4_000_000);
        send("checkout", "10.0.2.18:5002", 1_000_000);
        send("cart", "203.0.113.10:5003", 2_000_000);
        awaitCounter(CHECKOUT, "egress", "cross_zone", 4_000_000);
        awaitCounter("db-0", "ingress", "cross_zone", 4_000_000);
        awaitCounter("cart-0", "egress", "internet", 2_000_000);
        awaitCounter(CHECKOUT, "egress", "same_zone", 1_000_000);

        // Stop every sender, delivering what it holds; then nothing changes before the chosen evaluation.
        synthetic.flush(Duration.ofSeconds(30));
        synthetic.close();
        for (Process p : agents) {
            p.destroy(); // SIGTERM: the agent delivers its queue, then exits
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("agent stopped").isTrue();
        }
        Instant stopped = Instant.now();
        List<QueriedSeries> evaluations = PromQueryClient.await("a rule evaluation after every sender stopped",
                () -> prom.queries().rawSamples("namespace:netcost_network_cost_usd_per_hour:rate5m",
                        stopped.plusSeconds(1), Instant.now()),
                r -> !r.isEmpty(), SETTLE);
        at = evaluations.get(0).samples().stream().map(QueriedSample::timestamp).max(Instant::compareTo).orElseThrow();
    }

    @AfterAll
    void stopEverything() {
        for (Process p : agents) {
            p.destroyForcibly();
        }
        if (synthetic != null) {
            synthetic.close();
        }
        lab.close(); // after the agents: cleanupOnExit removes their rules from the namespaces first
        if (prom != null) {
            prom.close();
        }
    }

    // ---- the checks, all at one rule evaluation ----

    @Test
    void crossZoneBytes_costBothSides_eachOnItsOwnNode() {
        double checkout = value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"" + CHECKOUT + "\",cost_type=\"cross_zone\"}");
        double db = value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"db-0\",cost_type=\"cross_zone\"}");
        assertThat(checkout).isPositive().isCloseTo(value(perHour(CHECKOUT, "class=\"cross_zone\"", 0.01)), withinPercentage(1e-7));
        assertThat(db).isPositive().isCloseTo(value(perHour("db-0", "class=\"cross_zone\"", 0.01)), withinPercentage(1e-7));
        // the same 4 MB are counted on both sides (rates differ: each counter's history is its own)
        double sent = value("netcost_pod_network_bytes_total{pod=\"" + CHECKOUT + "\",direction=\"egress\",class=\"cross_zone\"}");
        double received = value("netcost_pod_network_bytes_total{pod=\"db-0\",direction=\"ingress\",class=\"cross_zone\"}");
        assertThat(sent).isBetween(4e6, 4.4e6);
        assertThat(received).isCloseTo(sent, withinPercentage(1));
        assertThat(series("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"db-0\",cost_type=\"cross_zone\"}").get(0).labels())
                .containsEntry("node", "node-b").containsEntry("zone", "us-east-2b").containsEntry("workload", "db")
                .containsEntry("workload_kind", "StatefulSet").containsEntry("namespace", "data");
    }

    @Test
    void internetSender_paysEgressOnWhatItSends_andNatOnBothDirections() {
        double egress = value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"cart-0\",cost_type=\"internet_egress\"}");
        double nat = value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"cart-0\",cost_type=\"nat_gateway\"}");
        assertThat(egress).isPositive().isCloseTo(value(perHour("cart-0", "class=\"internet\",direction=\"egress\"", 0.09)),
                withinPercentage(1e-7));
        assertThat(nat).isPositive().isCloseTo(value(perHour("cart-0", "class=\"internet\"", 0.045)), withinPercentage(1e-7));
        // checkout has internet counters that did not move: a true zero, not a missing series
        assertThat(value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"" + CHECKOUT + "\",cost_type=\"internet_egress\"}"))
                .isZero();
    }

    @Test
    void sharedAlb_isSplitByLcuShare_andTheNlbsCrossZoneBytesAreCharged() {
        // ALB: lcu_b = 7.5 + 1.875, lcu_c = 0.4 + 3.6 (see syntheticLoadBalancerSeries); shares 7.9 and 5.475 of 13.375
        double albLcu = value("load_balancer:netcost_lcu:rate5m{load_balancer=\"" + ALB + "\"}");
        double albCost = value("load_balancer:netcost_cost_usd_per_hour:rate5m{load_balancer=\"" + ALB + "\"}");
        assertThat(albLcu).isCloseTo(9.375, withinPercentage(3));
        assertThat(albCost).isCloseTo(0.0225 + albLcu * 0.008, within(1e-12));
        assertThat(value("pod_load_balancer:netcost_cost_usd_per_hour:rate5m{pod=\"" + GAME + "\"}") / albCost)
                .isCloseTo(7.9 / 13.375, within(1e-9));
        assertThat(value("pod_load_balancer:netcost_cost_usd_per_hour:rate5m{pod=\"" + WEB + "\"}") / albCost)
                .isCloseTo(5.475 / 13.375, within(1e-9));
        assertThat(value("sum(pod:netcost_network_cost_usd_per_hour:rate5m{cost_type=\"load_balancer\",pod=~\""
                + GAME + "|" + WEB + "\"})")).isCloseTo(albCost, within(1e-12));

        // NLB: lcu_b = 15, lcu_c = 0.5; all of it api-0's, plus 0.125 GiB/min of cross-zone bytes
        double nlbLcu = value("load_balancer:netcost_lcu:rate5m{load_balancer=\"" + NLB + "\"}");
        assertThat(nlbLcu).isCloseTo(15, withinPercentage(3));
        assertThat(value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"api-0\",cost_type=\"load_balancer\"}"))
                .isCloseTo(0.0225 + nlbLcu * 0.006, within(1e-12));
        assertThat(value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"api-0\",cost_type=\"cross_zone\"}"))
                .isCloseTo(0.075 * nlbLcu / 15, within(1e-12));
    }

    @Test
    void workloadsNamespacesAndTeams_addUpToThePods() {
        double pods = value("sum(pod:netcost_network_cost_usd_per_hour:rate5m)");
        assertThat(pods).isPositive();
        assertThat(value("sum(namespace_workload:netcost_network_cost_usd_per_hour:rate5m)")).isCloseTo(pods, withinPercentage(1e-7));
        assertThat(value("sum(namespace:netcost_network_cost_usd_per_hour:rate5m)")).isCloseTo(pods, withinPercentage(1e-7));
        assertThat(value("sum(team:netcost_network_cost_usd_per_hour:rate5m)")).isCloseTo(pods, withinPercentage(1e-7));
        assertThat(value("team:netcost_network_cost_usd_per_hour:rate5m{team=\"shop-team\",cost_type=\"cross_zone\"}"))
                .isCloseTo(value("sum(pod:netcost_network_cost_usd_per_hour:rate5m{pod=~\"" + CHECKOUT
                        + "|cart-0\",cost_type=\"cross_zone\"})"), within(1e-12));
        assertThat(value("team:netcost_network_cost_usd_per_hour:rate5m{team=\"games\",cost_type=\"load_balancer\"}"))
                .isCloseTo(value("pod:netcost_network_cost_usd_per_hour:rate5m{pod=\"" + GAME + "\",cost_type=\"load_balancer\"}"),
                        within(1e-12));
        assertThat(series("namespace:netcost_network_cost_usd_per_hour:rate5m{namespace=\"shop\"}"))
                .extracting(s -> s.labels().get("cost_type"))
                .containsExactlyInAnyOrder("cross_zone", "internet_egress", "nat_gateway", "load_balancer");
    }

    @Test
    void everyRecordingRule_answers_withExactlyTheContractsLabels() throws IOException {
        Set<String> pod = Set.of("__name__", "namespace", "pod", "workload", "workload_kind", "node", "zone");
        Set<String> podLb = Set.of("__name__", "namespace", "pod", "workload", "workload_kind", "node", "zone",
                "load_balancer", "load_balancer_type");
        Map<String, Set<String>> contract = Map.of(
                "pod:netcost_network_cost_usd_per_hour:rate5m", union(pod, "cost_type"),
                "namespace_workload:netcost_network_cost_usd_per_hour:rate5m",
                Set.of("__name__", "namespace", "workload", "workload_kind", "cost_type"),
                "namespace:netcost_network_cost_usd_per_hour:rate5m", Set.of("__name__", "namespace", "cost_type"),
                "team:netcost_network_cost_usd_per_hour:rate5m", Set.of("__name__", "team", "cost_type"),
                "load_balancer:netcost_lcu:rate5m", Set.of("__name__", "load_balancer", "load_balancer_type"),
                "load_balancer:netcost_cost_usd_per_hour:rate5m", Set.of("__name__", "load_balancer", "load_balancer_type"),
                "pod_load_balancer:netcost_lcu_by_dimension:rate5m", union(podLb, "dimension"),
                "pod_load_balancer:netcost_cost_usd_per_hour:rate5m", podLb);
        List<String> records = new ArrayList<>();
        for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile()).get("groups")) {
            group.get("rules").forEach(r -> {
                if (r.has("record")) {
                    records.add(r.get("record").asText());
                }
            });
        }
        assertThat(contract.keySet()).containsExactlyInAnyOrderElementsOf(Set.copyOf(records));
        contract.forEach((record, labels) -> assertThat(series(record)).as(record).isNotEmpty()
                .allSatisfy(s -> assertThat(labels).as("%s has only the contract's labels", s).containsAll(s.labels().keySet())));
    }

    @Test
    void everyDashboardQuery_answers() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        int queries = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = grafanaAllSelected(target.get("expr").asText());
                assertThat(series(expr)).as("panel '%s': %s", panel.get("title").asText(), expr).isNotEmpty();
                queries++;
            }
        }
        for (JsonNode variable : dashboard.at("/templating/list")) {
            String q = variable.at("/query/query").asText();
            if (q.startsWith("label_values(")) {
                String selector = grafanaAllSelected(q.substring("label_values(".length(), q.lastIndexOf(',')));
                assertThat(series(selector)).as("variable %s: %s", variable.get("name").asText(), selector).isNotEmpty();
            }
        }
        assertThat(queries).isGreaterThanOrEqualTo(15);
    }

    @Test
    void thePriceBook_arrivesOnce_fromTheNodeWithAPricingSection() {
        assertThat(series("netcost_price_gb_bytes")).singleElement().satisfies(s -> assertThat(s.value()).isEqualTo(GIB));
        assertThat(series("netcost_price_usd_per_gb")).hasSize(3);
        assertThat(series("netcost_price_usd_per_hour")).hasSize(5);
        assertThat(series("netcost_lcu_capacity_per_second")).hasSize(4);
        assertThat(series("netcost_agent_exporter_success{exporter=\"pricing\"}")).singleElement()
                .satisfies(s -> assertThat(s.labels()).containsEntry("node", "node-a"));
        assertThat(series("netcost_pod_labels{label_team=\"shop-team\"}")).extracting(s -> s.labels().get("pod"))
                .containsExactlyInAnyOrder(CHECKOUT, "cart-0");
    }

    // ---- the scenario ----

    private void buildTopology() {
        for (String ns : List.of("node-a", "node-b", "checkout", "cart", "db", "inet")) {
            lab.add(ns);
        }
        lab.in("node-a", "sysctl", "-qw", "net.ipv4.ip_forward=1");
        lab.in("node-b", "sysctl", "-qw", "net.ipv4.ip_forward=1");
        lab.link("node-a", "checkout", "10.0.1.17", "10.0.1.1");
        lab.link("node-a", "cart", "10.0.2.18", "10.0.2.1");
        lab.link("node-a", "inet", "203.0.113.10", "203.0.113.1");
        lab.link("node-b", "db", "10.1.5.5", "10.1.5.1");
        // node-a ↔ node-b, each routing the other zone's /16 through it
        lab.in("node-a", "ip", "link", "add", "to-b", "type", "veth", "peer", "name", "to-a", "netns", lab.path("node-b").toString());
        lab.in("node-a", "ip", "addr", "add", "10.254.0.1/30", "dev", "to-b");
        lab.in("node-a", "ip", "link", "set", "to-b", "up");
        lab.in("node-b", "ip", "addr", "add", "10.254.0.2/30", "dev", "to-a");
        lab.in("node-b", "ip", "link", "set", "to-a", "up");
        lab.in("node-a", "ip", "route", "add", "10.1.0.0/16", "via", "10.254.0.2");
        lab.in("node-b", "ip", "route", "add", "10.0.0.0/16", "via", "10.254.0.1");
    }

    private String nodeConfig(String node, String zone, String remoteWriteUrl, String podsAndMore) {
        return """
                nodeName: %s
                zone: %s
                interval: 1s
                exporterTimeout: 1s
                kubernetes: {enabled: false}
                debug: {listen: "127.0.0.1:0"}
                cadvisor: {enabled: false}
                iptables: {enabled: true, netns: %s, cleanupOnExit: true}
                classification:
                  zones: {us-east-2a: [10.0.0.0/16], us-east-2b: [10.1.0.0/16]}
                  vpc: [10.0.0.0/8]
                labels: {pod: [team]}
                dataDir: %s
                remoteWrite:
                  - url: %s
                    queue: {minBackoff: 10ms, maxBackoff: 100ms, batchDeadline: 100ms}
                """.formatted(node, zone, lab.path(node), tmp.resolve(node + "-data"), remoteWriteUrl) + podsAndMore;
    }

    private Process startAgent(String node, String config) throws IOException {
        Path file = tmp.resolve(node + ".yaml");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return AgentJar.start(tmp.resolve(node + ".log"), "node", "--config", file.toString());
    }

    private void awaitListening(String ns, int port) {
        PromQueryClient.await(ns + " listening on " + port, () -> lab.in(ns, "ss", "-ltn"),
                out -> out.contains(":" + port + " "), Duration.ofSeconds(10));
    }

    private void send(String from, String to, int bytes) {
        lab.in(from, "bash", "-c", "head -c " + bytes + " /dev/zero | socat -u STDIN TCP:" + to);
    }

    private void awaitCounter(String pod, String direction, String cls, long atLeast) {
        awaitNow("netcost_pod_network_bytes_total{pod=\"" + pod + "\",direction=\"" + direction
                + "\",class=\"" + cls + "\"} >= " + atLeast, r -> r.size() == 1);
    }

    private void awaitNow(String promql, Predicate<List<QueriedSeries>> condition) {
        PromQueryClient.await(promql, () -> prom.queries().query(promql, Instant.now()), condition, SETTLE);
    }

    /** The synthetic load-balancer series, remote-written every second by a pipeline of the test's own. */
    private static Pipeline syntheticLoadBalancerSeries(String remoteWriteUrl) throws Exception {
        RemoteWriteConfig rw = new RemoteWriteConfig("synthetic", java.net.URI.create(remoteWriteUrl), null, null,
                RemoteWriteConfig.TlsConfig.DEFAULT, Map.of(), Duration.ofSeconds(10), RemoteWriteConfig.QueueConfig.DEFAULT);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Clock clock = Clock.systemUTC();
        SyntheticLoadBalancers lbs = new SyntheticLoadBalancers(clock);
        // game-2048 behind the shared ALB: 0.125 GiB/min (lcu_b 7.5), 10 new connections/s (lcu_c 0.4)
        Labels game = podLabels("game-2048", GAME, "deployment-2048", "Deployment", "node-a", "us-east-2a");
        lbs.bytes(game, "ingress", ALB, "application", "same_zone", GIB / 16 / 60);
        lbs.bytes(game, "egress", ALB, "application", "same_zone", GIB / 32 / 60);
        lbs.bytes(game, "egress", ALB, "application", "cross_zone", GIB / 32 / 60);
        lbs.connections(game, ALB, "application", 10);
        lbs.podLabels(game, "games");
        // shop/web behind the same ALB: 0.03125 GiB/min (lcu_b 1.875), 90 new connections/s (lcu_c 3.6)
        Labels web = podLabels("shop", WEB, "web", "Deployment", "node-b", "us-east-2b");
        lbs.bytes(web, "ingress", ALB, "application", "cross_zone", GIB / 32 / 60);
        lbs.connections(web, ALB, "application", 90);
        lbs.podLabels(web, null);
        // payments/api-0 behind an NLB: 0.25 GiB/min, half from the other zone (lcu_b 15), 400 conn/s (lcu_c 0.5)
        Labels api = podLabels("payments", "api-0", "api", "StatefulSet", "node-b", "us-east-2b");
        for (String direction : List.of("ingress", "egress")) {
            lbs.bytes(api, direction, NLB, "network", "same_zone", GIB / 16 / 60);
            lbs.bytes(api, direction, NLB, "network", "cross_zone", GIB / 16 / 60);
        }
        lbs.connections(api, NLB, "network", 400);
        lbs.podLabels(api, "payments");
        return Pipeline.builder().meters(meters).clock(clock).interval(Duration.ofSeconds(1))
                .exporterTimeout(Duration.ofSeconds(1)).nodeName("synthetic").exporter(lbs)
                .sink(RemoteWriteSink.builder().config(rw).meters(meters).build()).build();
    }

    private static Labels podLabels(String namespace, String pod, String workload, String kind, String node, String zone) {
        return Labels.builder("x").add("namespace", namespace).add("pod", pod).add("workload", workload)
                .add("workload_kind", kind).add("node", node).add("zone", zone).build();
    }

    /**
     * Counters growing linearly from zero six minutes before the first cycle, which sends that
     * history every 10 s; later cycles send the current value. A 5m rate is then the slope.
     */
    private static final class SyntheticLoadBalancers implements Exporter {
        private record Counter(Labels labels, double perSecond) {
        }

        private final List<Counter> counters = new ArrayList<>();
        private final List<Labels> podLabels = new ArrayList<>();
        private final Clock clock;
        private final long zeroAt;
        private boolean historySent;

        SyntheticLoadBalancers(Clock clock) {
            this.clock = clock;
            this.zeroAt = clock.millis() - Duration.ofMinutes(6).toMillis();
        }

        void bytes(Labels pod, String direction, String lb, String type, String cls, double perSecond) {
            counters.add(new Counter(pod.toBuilder().put(Labels.METRIC_NAME, "netcost_pod_load_balancer_bytes_total")
                    .add("direction", direction).add("load_balancer", lb).add("load_balancer_type", type)
                    .add("class", cls).build(), perSecond));
        }

        void connections(Labels pod, String lb, String type, double perSecond) {
            counters.add(new Counter(pod.toBuilder().put(Labels.METRIC_NAME, "netcost_pod_load_balancer_connections_total")
                    .add("load_balancer", lb).add("load_balancer_type", type).build(), perSecond));
        }

        void podLabels(Labels pod, String team) {
            podLabels.add(Labels.of("netcost_pod_labels", "namespace", pod.get("namespace"), "pod", pod.get("pod"),
                    "label_team", team == null ? "" : team));
        }

        @Override
        public String name() {
            return "synthetic";
        }

        @Override
        public void collect(SampleConsumer out) {
            long now = clock.millis();
            if (!historySent) {
                for (long t = zeroAt; t < now; t += 10_000) {
                    emit(out, t);
                }
                historySent = true;
            }
            emit(out, now);
            podLabels.forEach(l -> out.accept(l, 1, now));
        }

        private void emit(SampleConsumer out, long t) {
            for (Counter c : counters) {
                out.accept(c.labels(), c.perSecond() * (t - zeroAt) / 1000.0, t);
            }
        }
    }

    // ---- queries at the chosen evaluation ----

    private List<QueriedSeries> series(String promql) {
        return prom.queries().query(promql, at);
    }

    private double value(String promql) {
        List<QueriedSeries> r = series(promql);
        assertThat(r).as("%s at %s", promql, at).hasSize(1);
        return r.get(0).value();
    }

    /** The documented formula on the raw series: bytes/s × 3600 × $/GB ÷ bytes per GB. */
    private static String perHour(String pod, String matchers, double pricePerGb) {
        return "sum(rate(netcost_pod_network_bytes_total{pod=\"" + pod + "\"," + matchers + "}[5m])) * 3600 * "
                + pricePerGb + " / " + (long) GIB;
    }

    /** A dashboard query as Grafana sends it with every variable at "All". */
    private static String grafanaAllSelected(String expr) {
        return expr.replace("$cluster", ".*").replace("$namespace", ".*").replace("$__rate_interval", "5m");
    }

    private static Set<String> union(Set<String> a, String b) {
        Set<String> out = new java.util.HashSet<>(a);
        out.add(b);
        return out;
    }
}
