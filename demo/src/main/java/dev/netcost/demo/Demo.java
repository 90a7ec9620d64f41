package dev.netcost.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.netcost.demo.ChildProcesses.Child;
import dev.netcost.demo.DemoChecks.Check;
import dev.netcost.demo.DemoCluster.Node;
import dev.netcost.demo.DemoCluster.Pod;
import dev.netcost.demo.DemoPlan.Flow;
import dev.netcost.report.ReportException;
import dev.netcost.report.Reports;
import dev.netcost.report.allocate.CostType;
import dev.netcost.report.output.Report;
import dev.netcost.report.output.ReportFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * {@code netcost demo}: the steps, in order, each with a progress line; the clean-up runs at the end,
 * on any failure and on Ctrl-C (a shutdown hook), and stops only what the demo started.
 */
final class Demo {
    private static final int STEPS = 10;
    private static final String CLUSTER = "cluster=\"" + DemoCluster.NAME + "\"";
    private static final Duration POLL = Duration.ofMillis(500);
    /** Each Ingress of the ALB group joined to the ALB's AWS name, as the webhook's info series allow. */
    static final String INGRESS_TO_ALB = "netcost_ingress_info{" + CLUSTER + "} * on (cluster, alb_group) group_left"
            + " (load_balancer, load_balancer_id) netcost_load_balancer_info{" + CLUSTER + "}";

    private final DemoOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock = Clock.systemUTC();
    private final Path home;
    private final Path outDir = Path.of("netcost-data");
    private final List<Check> checks = new ArrayList<>();
    private final AtomicBoolean cleaned = new AtomicBoolean();
    private Path tmp;
    private ChildProcesses children;
    private DemoNetwork network;
    private Thread hook;
    private int step;

    Demo(DemoOptions options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.home = home();
    }

    /** The repository (or install) the demo runs from: {@code -Dnetcost.home}, else two levels above its jar. */
    private static Path home() {
        String h = System.getProperty("netcost.home");
        if (h != null) {
            return Path.of(h).toAbsolutePath();
        }
        try {
            Path jar = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent();
        } catch (java.net.URISyntaxException e) {
            return Path.of("").toAbsolutePath();
        }
    }

    private void progress(String text) {
        step++;
        out.printf(Locale.ROOT, "demo [%2d/%d] %s%n", step, STEPS, text);
        out.flush();
    }

    private void note(String text) {
        out.println("             " + text);
        out.flush();
    }

    /** Runs the demo; true when it finished and (with --check) every check passed. */
    boolean run() {
        prerequisites();
        String hostTables = ChildProcesses.run(List.of("nft", "list", "tables"));
        try {
            tmp = Files.createTempDirectory("netcost-demo-");
            Path logs = outDir.resolve("demo-logs");
            Files.createDirectories(logs);
            try (Stream<Path> old = Files.list(logs)) {
                for (Path p : old.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            children = new ChildProcesses(logs);
        } catch (IOException e) {
            throw new DemoException("cannot create the demo's directories: " + e.getMessage(), e);
        }
        network = new DemoNetwork(ProcessHandle.current().pid());
        hook = new Thread(this::cleanup, "netcost-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean ok;
        try {
            ok = steps();
        } catch (DemoException e) {
            if (cleaned.get()) {
                throw new DemoException("stopped (Ctrl-C or SIGTERM); everything it started has been removed");
            }
            err.println("netcost demo: " + e.getMessage());
            err.println("netcost demo: logs of the agents, the webhook, Prometheus and the pods: " + outDir.resolve("demo-logs"));
            cleanupNow();
            throw new DemoException("failed; everything it started has been removed");
        } catch (IOException | ReportException | InterruptedException e) {
            err.println("netcost demo: " + e);
            cleanupNow();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new DemoException("failed; everything it started has been removed", e);
        }
        List<Long> pids = children.pids();
        cleanupNow();
        if (options.check()) {
            List<Long> alive = pids.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)).toList();
            List<Check> left = DemoChecks.leftovers(DemoNetwork.existing(network.prefix()), alive, Files.exists(tmp),
                    hostTables, ChildProcesses.run(List.of("nft", "list", "tables")));
            left.forEach(c -> out.println("  " + c));
            checks.addAll(left);
            long failed = checks.stream().filter(c -> !c.passed()).count();
            if (failed > 0) {
                err.println("netcost demo: " + failed + " of " + checks.size() + " checks failed (FAIL above)");
                return false;
            }
            out.println("demo: all " + checks.size() + " checks passed");
        }
        return ok;
    }

    private void prerequisites() {
        List<String> missing = new ArrayList<>();
        try {
            String uid = ChildProcesses.run(List.of("id", "-u")).strip();
            if (!uid.equals("0")) {
                throw DemoException.prerequisite("the demo builds network namespaces and needs root (run it as root, e.g."
                        + " sudo ./netcost demo)");
            }
        } catch (DemoException e) {
            if (e.exitCode() == DemoException.PREREQUISITE) {
                throw e;
            }
            missing.add("id");
        }
        for (String program : List.of("ip", "nft", "openssl", "setsid", "prometheus")) {
            if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                    .noneMatch(d -> Files.isExecutable(Path.of(d, program)))) {
                missing.add("the program " + program);
            }
        }
        if (!missing.isEmpty()) {
            throw DemoException.prerequisite("missing " + String.join(", ", missing) + " (install them with: bash scripts/install-deps.sh)");
        }
        for (Path p : List.of(home.resolve("netcost"), home.resolve("agent/target/netcost-agent.jar"), rules())) {
            if (!Files.exists(p)) {
                throw DemoException.prerequisite(p + " not found (build with: mvn -B package -DskipTests, from " + home + ")");
            }
        }
    }

    private Path rules() {
        return home.resolve("helm/netcost-agent/files/netcost.rules.yml");
    }

    private boolean steps() throws IOException, ReportException, InterruptedException {
        Files.createDirectories(outDir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Path planFile = outDir.resolve("demo-plan.json");
        json.writeValue(planFile.toFile(), DemoPlan.json());
        progress("plan: " + planSummary() + " -> " + planFile);

        int namespaces = network.build();
        progress("network: " + namespaces + " network namespaces " + network.prefix() + "*: nodes in " + DemoCluster.NODE_A.zone()
                + " and " + DemoCluster.NODE_B.zone() + ", 4 pods, the ALB's ENIs " + DemoCluster.ALB.enis().stream()
                .map(e -> e.ip() + " (" + e.zone() + ")").reduce((a, b) -> a + ", " + b).orElse("")
                + ", a NAT gateway, an internet host");

        PromApi prom = startPrometheus();
        progress("Prometheus " + version() + " on " + prom.base() + ": remote-write receiver, netcost's cost rules"
                + " (helm/netcost-agent/files/netcost.rules.yml) every " + DemoConfigs.INTERVAL);

        int sent = startWebhook(prom);
        progress("webhook: standalone netcost webhook, " + sent + " AdmissionReviews over HTTPS (the Ingresses of"
                + " game-2048 and shop in ALB group " + DemoCluster.ALB.group() + ", their Services, the ALB's DNS name in"
                + " their status); it writes the info series (the group joined to the ALB by netcost_load_balancer_info) and"
            + " the price book");

        Instant agentsStarted = clock.instant();
        List<Child> agents = new ArrayList<>();
        for (Node n : DemoCluster.NODES) {
            agents.add(startAgent(n, prom));
        }
        await(Duration.ofSeconds(60), "the node agents' and the webhook's first series in Prometheus", () ->
                prom.value("count(netcost_node_info{" + CLUSTER + "})", null) == DemoCluster.NODES.size()
                        && prom.value("count(netcost_pod_network_bytes_total{" + CLUSTER + "} > -1)", null) > 0
                        && prom.value("count(netcost_price_gb_bytes{" + CLUSTER + "})", null) >= 1
                        && prom.value("count(" + INGRESS_TO_ALB + ")", null) == 2, agents);
        progress("node agents: netcost node on " + DemoCluster.NODE_A.name() + " (" + DemoCluster.NODE_A.instanceId() + ") and "
                + DemoCluster.NODE_B.name() + " (" + DemoCluster.NODE_B.instanceId() + "), iptables exporter in each node's"
                + " namespace, every " + DemoConfigs.INTERVAL + ", writing to Prometheus");

        startServers();
        TrafficResults traffic = runTraffic(agents);
        Instant trafficEnd = clock.instant();

        Map<String, Measure> measures = measures();
        await(Duration.ofSeconds(30), "the counters to show the traffic in Prometheus",
                () -> measures.values().stream().allMatch(m -> prom.value(m.promql(), null) >= m.atLeast()), agents);
        for (Child a : agents) {
            int code = children.stop(a, Duration.ofSeconds(30));
            if (code != 0 && code != 143) {
                throw new DemoException(a.name() + " exited with " + code + ":\n" + a.tail(20));
            }
        }
        checks.add(agentRulesRemoved());
        Instant lastSample = Instant.ofEpochMilli(Math.round(1000 * prom.value(
                "max(timestamp(netcost_pod_network_bytes_total{" + CLUSTER + "}))", null)));
        RuleSnapshotAt rules = ruleSnapshot(prom, lastSample, agentsStarted, traffic);
        progress("measured: agents stopped (their nft tables removed), " + String.format(Locale.ROOT, "%.0f",
                Duration.between(trafficEnd, clock.instant()).toMillis() / 1000.0) + " s after the traffic; rules evaluated at "
                + rules.at());

        Instant start = agentsStarted.truncatedTo(ChronoUnit.HOURS);
        Instant lastHour = lastSample.truncatedTo(ChronoUnit.HOURS);
        List<Instant> hours = new ArrayList<>();
        for (Instant h = start; !h.isAfter(lastHour); h = h.plus(Duration.ofHours(1))) {
            hours.add(h);
        }
        List<DemoBill.Line> bill = DemoBill.lines(hours, traffic);
        Path billFile = outDir.resolve("demo-bill-cur.csv");
        Files.writeString(billFile, DemoBill.csv(bill), StandardCharsets.UTF_8);
        BigDecimal billTotal = DemoBill.total(bill);
        progress("demo bill: " + bill.size() + " CUR lines, " + billTotal.setScale(6, RoundingMode.HALF_UP).toPlainString()
                + " USD for " + hours.size() + " hour(s) at us-east-2 list prices (labelled DEMO BILL, not from AWS) -> " + billFile);

        Instant end = lastHour.plus(Duration.ofHours(1));
        progress("netcost report --cur " + billFile + " --by workload, " + start + " .. " + end + ":");
        out.println();
        List<String> common = List.of("--prometheus", prom.base().toString(), "--start", start.toString(), "--end",
                end.toString(), "--cluster", DemoCluster.NAME, "--no-progress");
        Report byWorkload = report(common, List.of("--cur", billFile.toString(), "--by", "workload", "--precision", "6"), out);
        writeReport(byWorkload, ReportFormat.CSV, outDir.resolve("demo-report.csv"));
        writeReport(byWorkload, ReportFormat.HTML, outDir.resolve("demo-report.html"));
        writeReport(byWorkload, ReportFormat.JSON, outDir.resolve("demo-report.json"));
        Report byTeam = report(common, List.of("--cur", billFile.toString(), "--by", "label:team", "--precision", "6"), null);
        Report listPrice = report(common, List.of("--by", "namespace", "--precision", "10"), null);

        summary(byTeam, billFile, planFile);
        if (options.check()) {
            checks.add(albJoin(prom));
            checks.addAll(DemoChecks.traffic(traffic));
            for (Map.Entry<String, Measure> e : measures.entrySet()) {
                Measure m = e.getValue();
                double v = prom.value(m.promql(), null);
                checks.add(m.exact() ? DemoChecks.exactly(e.getKey(), v, m.atLeast()) : DemoChecks.bytesWithin(e.getKey(), v, m.atLeast()));
            }
            checks.addAll(DemoChecks.albSplit(byTeam, DemoCluster.ALB.name(), DemoPlan.albShares()));
            checks.addAll(DemoChecks.bill(byWorkload, billTotal));
            checks.add(rules.window());
            checks.addAll(DemoChecks.rules(listPrice, rules.snapshot()));
            out.println();
            out.println("demo: checks");
            checks.forEach(c -> out.println("  " + c));
        }
        if (options.keep()) {
            keep(prom);
        }
        return true;
    }

    private String planSummary() {
        StringBuilder sb = new StringBuilder();
        for (Flow f : DemoPlan.FLOWS) {
            if (f.kind() == DemoPlan.Kind.ALB) {
                sb.append(String.format(Locale.ROOT, "ALB -> %s %d conns %.1f MB, ", f.namespace(), f.job().count(), f.payload() / 1e6));
            }
        }
        return sb + "cross-zone, internet";
    }

    private String version() {
        try {
            String v = ChildProcesses.run(List.of("prometheus", "--version"));
            return v.lines().findFirst().orElse("").replaceAll("^prometheus, version (\\S+).*", "$1");
        } catch (DemoException e) {
            return "";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PromApi startPrometheus() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("prometheus"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, DemoConfigs.prometheus(rules()));
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Child p = children.start("prometheus", List.of("prometheus", "--config.file=" + config,
                    "--web.enable-remote-write-receiver", "--web.listen-address=127.0.0.1:" + port,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--storage.tsdb.retention.time=1d", "--log.level=warn"),
                    Map.of());
            PromApi prom = new PromApi(URI.create("http://127.0.0.1:" + port));
            try {
                await(Duration.ofSeconds(60), "Prometheus to be ready on 127.0.0.1:" + port, prom::ready, List.of(p));
                return prom;
            } catch (DemoException e) {
                if (attempt == 3 || !lostPort(p)) {
                    throw e;
                }
            }
        }
    }

    /** Whether a server exited because another process took the free port picked for it meanwhile. */
    private static boolean lostPort(Child c) {
        return !c.process().isAlive() && c.tail(50).toLowerCase(Locale.ROOT).contains("address already in use");
    }

    private int startWebhook(PromApi prom) throws IOException, InterruptedException {
        Admissions admissions = new Admissions(tmp.resolve("webhook-tls"));
        admissions.makeCertificates();
        java.net.http.HttpClient client;
        try {
            client = admissions.client();
        } catch (java.security.GeneralSecurityException e) {
            throw new DemoException("cannot trust the demo's CA: " + e.getMessage(), e);
        }
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Child w = startWebhookOn(port, prom, admissions);
            try {
                awaitWebhook(client, port, w);
                return admissions.send(client, port);
            } catch (DemoException e) {
                if (attempt == 3 || !lostPort(w)) {
                    throw e;
                }
            }
        }
    }

    private Child startWebhookOn(int port, PromApi prom, Admissions admissions) throws IOException {
        Path config = tmp.resolve("webhook.yaml");
        Files.writeString(config, DemoConfigs.webhook(tmp.resolve("webhook-data"), prometheusPort(prom), port,
                admissions.cert(), admissions.key()));
        return children.start("webhook", List.of(home.resolve("netcost").toString(), "webhook", "--config",
                config.toString()), Map.of());
    }

    private void awaitWebhook(java.net.http.HttpClient client, int port, Child w) {
        await(Duration.ofSeconds(60), "the webhook to serve https://127.0.0.1:" + port + "/healthz", () -> {
            try {
                return client.send(java.net.http.HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(2)).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, List.of(w));
    }

    private static int prometheusPort(PromApi prom) {
        return prom.base().getPort();
    }

    private Child startAgent(Node n, PromApi prom) throws IOException {
        Path config = tmp.resolve(n.role() + ".yaml");
        Files.writeString(config, DemoConfigs.node(n, network.path(n.role()), tmp.resolve(n.role() + "-data"),
                prometheusPort(prom), options.backend()));
        return children.start("agent-" + n.role(), List.of(home.resolve("netcost").toString(), "node", "--config",
                config.toString()), Map.of());
    }

    /** The java command that runs a class of this jar, as small as a JVM gets. */
    private static List<String> java(String mainClass) {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        return List.of(javaBin, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx64m", "-cp",
                System.getProperty("java.class.path"), mainClass);
    }

    private void startServers() {
        List<String> roles = new ArrayList<>();
        DemoCluster.PODS.forEach(p -> roles.add(p.role()));
        roles.add("inet");
        List<Child> servers = new ArrayList<>();
        for (String role : roles) {
            List<String> cmd = new ArrayList<>(network.in(role));
            cmd.addAll(java("dev.netcost.demo.traffic.PodServer"));
            cmd.add("80");
            servers.add(children.start("server-" + role, cmd, Map.of()));
        }
        await(Duration.ofSeconds(60), "the pods' HTTP servers", () -> servers.stream().allMatch(s -> {
            try {
                return Files.readString(s.log()).contains("listening");
            } catch (IOException e) {
                return false;
            }
        }), servers);
        progress("pods: an HTTP server in each pod (" + DemoCluster.PODS.stream().map(p -> p.namespace() + "/" + p.workload())
                .distinct().reduce((a, b) -> a + ", " + b).orElse("") + ") and on the internet host " + DemoCluster.INTERNET_HOST);
    }

    private TrafficResults runTraffic(List<Child> agents) throws InterruptedException {
        Instant now = clock.instant();
        Duration wait = DemoPlan.delayBeforeTraffic(now);
        if (!wait.isZero()) {
            note("waiting " + wait.toSeconds() + " s for " + now.plus(wait).atOffset(ZoneOffset.UTC).toLocalTime()
                    .truncatedTo(ChronoUnit.SECONDS) + " UTC, so that the traffic falls into one clock hour (the bill and the"
                    + " report are hourly)");
            Thread.sleep(wait.toMillis()); // waiting for a time of day, not for a condition
        }
        List<Child> clients = new ArrayList<>();
        for (String role : DemoPlan.clientRoles()) {
            List<String> cmd = new ArrayList<>(network.in(role));
            cmd.addAll(java("dev.netcost.demo.traffic.TrafficClient"));
            cmd.add(Long.toString(DemoPlan.TRAFFIC_DURATION.toMillis()));
            cmd.add("4");
            DemoPlan.flowsFrom(role).forEach(f -> cmd.add(f.job().format()));
            clients.add(children.start("traffic-" + role, cmd, Map.of()));
        }
        note("sending for " + DemoPlan.TRAFFIC_DURATION.toSeconds() + " s: "
                + DemoPlan.FLOWS.stream().map(f -> f.job().id()).reduce((a, b) -> a + ", " + b).orElse(""));
        TrafficResults results = new TrafficResults();
        for (Child c : clients) {
            if (!c.process().waitFor(DemoPlan.TRAFFIC_DURATION.toMillis() + 180_000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                children.stop(c, Duration.ofSeconds(5));
                throw new DemoException("the traffic client " + c.name() + " did not finish:\n" + c.tail(20));
            }
            int code = c.process().exitValue();
            if (code != 0) {
                throw new DemoException("the traffic client " + c.name() + " failed (exit " + code + "):\n" + c.tail(20));
            }
            try {
                results.addClientOutput(Files.readString(c.log()));
            } catch (IOException e) {
                throw new DemoException("cannot read " + c.log() + ": " + e.getMessage(), e);
            }
        }
        int failed = 0;
        for (Flow f : DemoPlan.FLOWS) {
            TrafficResults.Job j = results.job(f.job().id());
            failed += j == null ? f.job().count() : f.job().count() - j.ok();
        }
        progress("traffic: " + DemoPlan.FLOWS.stream().mapToInt(f -> f.job().count()).sum() + " requests"
                + (failed == 0 ? "" : ", " + failed + " FAILED (see " + outDir.resolve("demo-logs") + ")") + ", "
                + DemoPlan.FLOWS.stream().map(f -> {
                    TrafficResults.Job j = results.job(f.job().id());
                    return f.job().id() + " " + (j == null ? "-" : String.format(Locale.ROOT, "%.1f MB", (j.sent() + j.received()) / 1e6));
                }).reduce((a, b) -> a + ", " + b).orElse(""));
        return results;
    }

    /** A series measured from Prometheus for one flow: its PromQL, and the payload (or exact count) it must show. */
    record Measure(String promql, long atLeast, boolean exact) {
    }

    /** What --check compares with the payloads, in the order printed. */
    private static Map<String, Measure> measures() {
        Map<String, Measure> out = new LinkedHashMap<>();
        for (Flow f : DemoPlan.FLOWS) {
            String ns = "namespace=\"" + f.namespace() + "\"";
            switch (f.kind()) {
                case ALB -> {
                    out.put("ALB <-> " + f.namespace() + ": bytes, both directions", new Measure(
                            "sum(netcost_pod_load_balancer_bytes_total{" + CLUSTER + "," + ns + "})", f.payload(), false));
                    out.put("ALB -> " + f.namespace() + ": new connections", new Measure(
                            "sum(netcost_pod_load_balancer_connections_total{" + CLUSTER + "," + ns + "})", f.job().count(), true));
                }
                case CROSS_ZONE -> {
                    out.put(f.from().name() + " -> other zone: egress cross_zone bytes", podBytes(f.from(), "egress",
                            "cross_zone", f.job().requestBytes()));
                    out.put(f.to().name() + " <- other zone: ingress cross_zone bytes", podBytes(f.to(), "ingress",
                            "cross_zone", f.job().requestBytes()));
                }
                case INTERNET -> {
                    boolean upload = f.job().method().equals("POST");
                    out.put(f.from().name() + (upload ? " -> internet: egress" : " <- internet: ingress") + " internet bytes ("
                            + f.job().id() + ")", podBytes(f.from(), upload ? "egress" : "ingress", "internet",
                            upload ? f.job().requestBytes() : f.job().responseBytes()));
                }
                default -> throw new IllegalStateException("BUG: flow kind " + f.kind());
            }
        }
        return out;
    }

    private static Measure podBytes(Pod pod, String direction, String trafficClass, long payload) {
        return new Measure("sum(netcost_pod_network_bytes_total{" + CLUSTER + ",namespace=\"" + pod.namespace() + "\",pod=\""
                + pod.name() + "\",direction=\"" + direction + "\",class=\"" + trafficClass + "\"})", payload, false);
    }

    /** The webhook's series join both Ingresses of the ALB group to the ALB's AWS name and id, the bill's key. */
    private static Check albJoin(PromApi prom) {
        List<String> joined = prom.query(INGRESS_TO_ALB, null).stream()
                .map(s -> s.label("namespace") + "/" + s.label("ingress") + " -> " + s.label("load_balancer") + "/"
                        + s.label("load_balancer_id")).sorted().toList();
        String alb = DemoCluster.ALB.name() + "/" + DemoCluster.ALB.id();
        return new Check("webhook: the Ingresses of group " + DemoCluster.ALB.group() + " join the ALB's AWS name",
                joined.equals(List.of("game-2048/ingress-2048 -> " + alb, "shop/shop -> " + alb)), String.join(", ", joined));
    }

    private Check agentRulesRemoved() {
        List<String> left = new ArrayList<>();
        for (Node n : DemoCluster.NODES) {
            String nft = ChildProcesses.run(network.in(n.role(), "nft", "list", "tables"));
            if (nft.toLowerCase(Locale.ROOT).contains("netcost")) {
                left.add(n.role() + ": " + nft.strip());
            }
            for (String save : List.of("iptables-legacy-save", "iptables-nft-save")) {
                try {
                    if (ChildProcesses.run(network.in(n.role(), save)).contains("NETCOST")) {
                        left.add(n.role() + ": " + save + " lists NETCOST chains");
                    }
                } catch (DemoException e) {
                    // that iptables variant is not installed: it holds nothing
                }
            }
        }
        return new Check("node agents removed their rules on exit (iptables.cleanupOnExit)", left.isEmpty(),
                String.join("; ", left));
    }

    /** The rules' snapshot and when it was evaluated. */
    record RuleSnapshotAt(Instant at, DemoChecks.RuleSnapshot snapshot, Check window) {
    }

    /**
     * Waits for the rules' first evaluation after the agents' last sample (so the rate extrapolates as the
     * report's increase does) and reads their outputs at that instant.
     */
    private RuleSnapshotAt ruleSnapshot(PromApi prom, Instant lastSample, Instant agentsStarted, TrafficResults traffic) {
        Instant after = lastSample.plusSeconds(3);
        String outputs = "namespace:netcost_network_cost_usd_per_hour:rate5m{" + CLUSTER + "}";
        Instant[] at = new Instant[1];
        await(Duration.ofSeconds(30), "the cost rules' evaluation after the agents' last sample", () -> {
            double ts = prom.value("max(timestamp(" + outputs + "))", null);
            at[0] = Double.isNaN(ts) ? null : Instant.ofEpochMilli(Math.round(ts * 1000));
            return at[0] != null && !at[0].isBefore(after);
        }, List.of());
        Instant t = at[0];
        Map<String, Map<CostType, Double>> perHour = new LinkedHashMap<>();
        for (PromApi.Sample s : prom.query(outputs, t)) {
            CostType type = costType(s.label("cost_type"));
            if (type != null) {
                perHour.computeIfAbsent(s.label("namespace"), k -> new LinkedHashMap<>()).merge(type, s.value(), Double::sum);
            }
        }
        String lb = CLUSTER + ",load_balancer=\"" + DemoCluster.ALB.name() + "\"";
        double lcu = prom.value("sum(load_balancer:netcost_lcu:rate5m{" + lb + "})", t);
        double cost = prom.value("sum(load_balancer:netcost_cost_usd_per_hour:rate5m{" + lb + "})", t);
        Map<String, Double> byNs = new LinkedHashMap<>();
        for (PromApi.Sample s : prom.query("sum by (namespace) (pod_load_balancer:netcost_cost_usd_per_hour:rate5m{" + lb + "})", t)) {
            byNs.put(s.label("namespace"), s.value());
        }
        int albHours = (int) DemoPlan.FLOWS.stream().filter(f -> f.kind() == DemoPlan.Kind.ALB)
                .map(f -> traffic.job(f.job().id())).filter(j -> j != null)
                .flatMap(j -> j.hours().keySet().stream()).distinct().count();
        boolean spans = t.minusSeconds(300).isBefore(agentsStarted);
        Check window = new Check("rules: rate(…[5m]) at " + t + " spans the whole demo", spans, spans ? ""
                : "the demo took more than 5 minutes from the agents' start to the rules' evaluation, so the rules no"
                + " longer see all of it; run it again on a less busy machine");
        return new RuleSnapshotAt(t, new DemoChecks.RuleSnapshot(perHour, lcu, cost, byNs,
                DemoBill.ALB_PER_HOUR.doubleValue(), DemoBill.ALB_PER_LCU_HOUR.doubleValue(), Math.max(albHours, 1)), window);
    }

    private static CostType costType(String label) {
        for (CostType c : CostType.values()) {
            if (c.label().equals(label)) {
                return c;
            }
        }
        return null;
    }

    private Report report(List<String> common, List<String> extra, PrintStream to) throws ReportException {
        List<String> args = new ArrayList<>(common);
        args.addAll(extra);
        PrintStream sink = to != null ? to : new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return Reports.make(args, sink, err, clock);
    }

    private static void writeReport(Report r, ReportFormat format, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            format.render(r, w);
        }
    }

    private void summary(Report byTeam, Path billFile, Path planFile) {
        out.println();
        for (Report.LoadBalancerSplit lb : byTeam.loadBalancers()) {
            if (!lb.loadBalancer().equals(DemoCluster.ALB.name())) {
                continue;
            }
            out.println("The shared ALB " + lb.loadBalancer() + " (group " + DemoCluster.ALB.group() + ", Ingresses"
                    + " game-2048/ingress-2048 and shop/shop) cost " + lb.total().toPlainString() + " USD on the demo bill:");
            Map<String, BigDecimal> shares = DemoChecks.teamShares(byTeam, lb.loadBalancer());
            for (DemoPlan.AlbShare p : DemoPlan.albShares()) {
                BigDecimal amount = lb.shares().stream().filter(s -> s.group().equals(p.team())).map(Report.Share::amount)
                        .findFirst().orElse(BigDecimal.ZERO);
                BigDecimal share = shares.getOrDefault(p.team(), BigDecimal.ZERO);
                out.printf(Locale.ROOT, "  team %-6s %5.1f %%  %s USD   planned %5.1f %% (its bytes %4.1f %%, its new connections %4.1f %%)%n",
                        p.team(), 100 * share.doubleValue(), amount.toPlainString(), 100 * p.lcu().doubleValue(),
                        100 * p.bytes().doubleValue(), 100 * p.connections().doubleValue());
            }
            lb.shares().stream().filter(s -> s.group().equals("unallocated")).forEach(s -> out.println("  unallocated  "
                    + s.amount().toPlainString() + " USD: an hour the demo touched without traffic through the ALB"));
        }
        out.println("  Each team pays by the LCUs it causes: bytes (1 LCU = 1 GB/h) and new connections (1 LCU = 25/s)"
                + " weighted by the LCUs each dimension makes (docs/cost-model.md).");
        out.println();
        out.println("Written: " + outDir.resolve("demo-report.html") + " (open it in a browser), " + outDir.resolve("demo-report.csv")
                + ", " + outDir.resolve("demo-report.json") + ", " + billFile + ", " + planFile + ", " + outDir.resolve("demo-logs") + "/");
        out.flush();
    }

    private void keep(PromApi prom) throws InterruptedException {
        out.println();
        out.println("--keep: Prometheus with the demo's data and cost rules: " + prom.base() + "/graph (e.g."
                + " team:netcost_network_cost_usd_per_hour:rate5m; rates fall to 0 five minutes after the traffic)");
        out.println("        network namespaces: ip netns list | grep " + network.prefix() + "; Ctrl-C removes everything");
        out.flush();
        Thread.currentThread().join(); // until Ctrl-C: the shutdown hook cleans up
    }

    /**
     * Polls {@code condition} every half second until it holds; fails with {@code what} after
     * {@code timeout}, or at once (with its log) when one of {@code watched} exits.
     */
    private void await(Duration timeout, String what, BooleanSupplier condition, List<Child> watched) {
        Instant deadline = clock.instant().plus(timeout);
        while (true) {
            boolean ok;
            try {
                ok = condition.getAsBoolean();
            } catch (DemoException e) {
                ok = false;
            }
            if (ok) {
                return;
            }
            for (Child c : watched) {
                if (!c.process().isAlive()) {
                    throw new DemoException(c.name() + " exited (" + c.process().exitValue() + ") while waiting for " + what
                            + "; its log (" + c.log() + "):\n" + c.tail(25));
                }
            }
            if (clock.instant().isAfter(deadline)) {
                throw new DemoException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted waiting for " + what, e);
            }
        }
    }

    private void cleanupNow() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }

    /** Stops every process the demo started, deletes its namespaces and its temporary directory; once. */
    private void cleanup() {
        if (!cleaned.compareAndSet(false, true)) {
            return;
        }
        if (children != null) {
            children.close();
        }
        if (network != null) {
            network.close();
        }
        if (tmp != null) {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                err.println("netcost demo: could not delete " + tmp + ": " + e.getMessage());
            }
        }
    }
}
