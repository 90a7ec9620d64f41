package dev.netcost.bench;

import dev.netcost.core.testing.PrometheusProcess;
import dev.netcost.report.allocate.Bill;
import dev.netcost.report.allocate.BillAllocator;
import dev.netcost.report.allocate.Ledger;
import dev.netcost.report.allocate.ListPriceEstimator;
import dev.netcost.report.cur.CurReader;
import dev.netcost.report.measure.Grouping;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.Window;
import dev.netcost.report.output.Report;
import dev.netcost.report.output.ReportBuilder;
import dev.netcost.report.output.ReportFormat;
import dev.netcost.report.prometheus.MeasurementLoader;
import dev.netcost.report.prometheus.ProgressBar;
import dev.netcost.report.prometheus.PrometheusClient;
import dev.netcost.report.prometheus.PrometheusSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code netcost report} at the scale: a month (720 hours) of hourly netcost series for 2,000
 * pods on 50 nodes (3 zones), 500 of them behind 10 shared ALBs, in a real Prometheus (history made by
 * promtool), and a CUR 2.0 Parquet bill for the month written by DuckDB (inter-AZ and internet transfer
 * per instance, 3 NAT gateways, the ALBs' hours and LCUs, plus compute lines that are set aside).
 * Times each phase in process (one warm-up, then {@code runs} measured), and the whole command as a
 * fresh JVM ({@code java -jar report/target/netcost-report.jar}) for CSV and HTML output.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.netcost.bench.ReportScaleRun [runs] [work dir] [command runs]</pre>
 */
public final class ReportScaleRun {
    static final int HOURS = 720;
    static final int NODES = 50;
    static final int PODS = 2000;
    static final int LB_PODS = 500;
    static final int LBS = 10;
    static final String[] ZONES = {"us-east-2a", "us-east-2b", "us-east-2c"};
    static final Window WINDOW = new Window(Instant.parse("2026-10-01T00:00:00Z"),
            Instant.parse("2026-10-01T00:00:00Z").plusSeconds(3600L * HOURS));

    private ReportScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("netcost-report-scale-");
        int commandRuns = args.length > 2 ? Integer.parseInt(args[2]) : runs;
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        Path om = dir.resolve("history.om");
        long samples = writeHistory(om);
        Path cur = dir.resolve("cur.parquet");
        long curLines = writeCur(cur);
        System.out.printf(Locale.ROOT, "fixtures: %,d samples (%,d MB OpenMetrics), %,d CUR lines, in %.1f s%n",
                samples, Files.size(om) >> 20, curLines, secs(System.nanoTime() - t0));
        long tBlocks = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        try (PrometheusProcess prometheus = PrometheusProcess.startWithHistory(om, "744h")) {
            System.out.printf(Locale.ROOT, "promtool blocks + Prometheus ready in %.1f s%n", secs(System.nanoTime() - tBlocks));
            List<Map<String, Double>> phases = new ArrayList<>();
            for (int i = 0; i <= runs; i++) {
                Map<String, Double> p = inProcess(prometheus, cur);
                System.out.println((i == 0 ? "warm-up " : "run " + i + "   ") + p);
                if (i > 0) {
                    phases.add(p);
                }
            }
            result.put("in_process_seconds", phases);
            Path jar = Path.of("report/target/netcost-report.jar");
            if (Files.exists(jar)) {
                for (String format : List.of("csv", "html")) {
                    List<Double> walls = new ArrayList<>();
                    for (int i = 0; i < commandRuns; i++) {
                        walls.add(command(jar, prometheus, cur, format, dir));
                    }
                    System.out.println("java -jar netcost-report.jar --format " + format + ": " + walls + " s");
                    result.put("command_seconds_" + format, walls);
                }
            } else {
                System.out.println(jar + " not built: skipping the whole-command runs");
            }
        }
        result.put("pods", PODS);
        result.put("nodes", NODES);
        result.put("hours", HOURS);
        result.put("samples", samples);
        result.put("cur_lines", curLines);
        result.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        result.put("cpus", Runtime.getRuntime().availableProcessors());
        System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(result));
    }

    /**
     * One report in this JVM, phase by phase (wall seconds): CUR, Prometheus, allocation (CUR and list
     * prices), output; plus the CPU seconds this JVM and the Prometheus process spent, since on a shared
     * machine wall time says little.
     */
    static Map<String, Double> inProcess(PrometheusProcess prometheus, Path cur) throws Exception {
        Map<String, Double> p = new LinkedHashMap<>();
        long cpu0 = jvmCpu();
        long prom0 = prometheusCpu(prometheus);
        long t = System.nanoTime();
        Bill bill = new CurReader(WINDOW).read(List.of(cur));
        p.put("read_cur", secs(System.nanoTime() - (t)));
        t = System.nanoTime();
        Measurements m;
        PrometheusSettings settings = new PrometheusSettings(prometheus.baseUrl(), null, null, null, null, null, null,
                false, Map.of(), Duration.ofMinutes(2), null, null);
        try (PrometheusClient client = PrometheusClient.create(settings)) {
            m = new MeasurementLoader(client, null, Duration.ofHours(24), n -> new ProgressBar(System.err, false, n))
                    .load(WINDOW, Grouping.parse("namespace"));
        }
        p.put("query_prometheus", secs(System.nanoTime() - t));
        p.put("prometheus_cpu_during_queries", secs(prometheusCpu(prometheus) - prom0));
        t = System.nanoTime();
        Ledger ledger = BillAllocator.allocate(m, bill);
        p.put("allocate_cur", secs(System.nanoTime() - t));
        t = System.nanoTime();
        Ledger list = ListPriceEstimator.estimate(m);
        p.put("estimate_list_prices", secs(System.nanoTime() - t));
        t = System.nanoTime();
        Report report = ReportBuilder.build(m, ledger, bill, Grouping.parse("workload"), 2, List.of(), List.of(), Instant.now());
        Writer csv = new StringWriter();
        ReportFormat.CSV.render(report, csv);
        Writer html = new StringWriter();
        ReportFormat.HTML.render(report, html);
        p.put("build_and_render", secs(System.nanoTime() - t));
        p.put("report_jvm_cpu_total", secs(jvmCpu() - cpu0));
        if (m.pods().size() != PODS || report.rows().isEmpty() || list.costTypes().isEmpty()) {
            throw new IllegalStateException("BUG: expected " + PODS + " pods, got " + m.pods().size());
        }
        if (report.totals().allocated().add(report.totals().unallocated()).compareTo(report.totals().billed()) != 0) {
            throw new IllegalStateException("BUG: the report does not add up");
        }
        return p;
    }

    static double command(Path jar, PrometheusProcess prometheus, Path cur, String format, Path dir) throws Exception {
        long t = System.nanoTime();
        Process p = new ProcessBuilder("java", "-jar", jar.toString(), "--prometheus", prometheus.baseUrl().toString(),
                "--start", WINDOW.start().toString(), "--end", WINDOW.end().toString(), "--cur", cur.toString(),
                "--by", "workload", "--format", format, "--out", dir.resolve("report." + format).toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("command.log").toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("netcost report failed: " + Files.readString(dir.resolve("command.log")));
        }
        return secs(System.nanoTime() - t);
    }

    /** Hourly samples (exact increases on Prometheus 2.x: both ends of each hour are in its range). */
    static long writeHistory(Path om) throws IOException {
        long samples = 0;
        long start = WINDOW.start().getEpochSecond();
        try (BufferedWriter w = Files.newBufferedWriter(om, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            String ext = "cluster=\"bench\",job=\"netcost\"";
            w.write("# TYPE netcost_pod_network_bytes counter\n");
            String[][] kinds = {{"egress", "cross_zone"}, {"ingress", "cross_zone"}, {"egress", "internet"}};
            StringBuilder sb = new StringBuilder(256);
            for (int k = 0; k < PODS; k++) {
                for (int s = 0; s < kinds.length; s++) {
                    String labels = "netcost_pod_network_bytes_total{" + ext + "," + pod(k) + ",direction=\"" + kinds[s][0]
                            + "\",class=\"" + kinds[s][1] + "\"} ";
                    samples += counter(w, sb, labels, start, k * 31L + s);
                }
            }
            w.write("# TYPE netcost_pod_load_balancer_bytes counter\n");
            for (int k = 0; k < LB_PODS; k++) {
                String labels = "netcost_pod_load_balancer_bytes_total{" + ext + "," + pod(k) + ",load_balancer=\"k8s-alb-"
                        + (k % LBS) + "\",load_balancer_type=\"application\",direction=\"ingress\",class=\"same_zone\"} ";
                samples += counter(w, sb, labels, start, k * 17L + 5);
            }
            w.write("# TYPE netcost_pod_load_balancer_connections counter\n");
            for (int k = 0; k < LB_PODS; k++) {
                String labels = "netcost_pod_load_balancer_connections_total{" + ext + "," + pod(k) + ",load_balancer=\"k8s-alb-"
                        + (k % LBS) + "\",load_balancer_type=\"application\"} ";
                samples += counter(w, sb, labels, start, k * 13L + 7);
            }
            List<String> gauges = new ArrayList<>();
            for (int n = 0; n < NODES; n++) {
                gauges.add("netcost_node_info{" + ext + ",node=\"node-" + n + "\",zone=\"" + ZONES[n % 3]
                        + "\",region=\"us-east-2\",instance_id=\"i-" + String.format(Locale.ROOT, "%03d", n) + "\"} 1");
            }
            for (int l = 0; l < LBS; l++) {
                gauges.add("netcost_load_balancer_info{" + ext + ",load_balancer=\"k8s-alb-" + l
                        + "\",load_balancer_type=\"application\",load_balancer_id=\"id" + l + "\"} 1");
            }
            gauges.add("netcost_price_usd_per_gb{" + ext + ",resource=\"cross_zone\"} 0.01");
            gauges.add("netcost_price_usd_per_gb{" + ext + ",resource=\"internet_egress\"} 0.09");
            gauges.add("netcost_price_usd_per_gb{" + ext + ",resource=\"nat_gateway\"} 0.045");
            gauges.add("netcost_price_usd_per_hour{" + ext + ",resource=\"load_balancer\",load_balancer_type=\"application\"} 0.0225");
            gauges.add("netcost_price_usd_per_hour{" + ext + ",resource=\"lcu\",load_balancer_type=\"application\"} 0.008");
            gauges.sort(null);
            String family = "";
            for (String g : gauges) {
                String name = g.substring(0, g.indexOf('{'));
                if (!name.equals(family)) {
                    w.write("# TYPE " + name + " gauge\n");
                    family = name;
                }
                String[] parts = g.split("} ");
                for (int h = 0; h <= HOURS; h++) {
                    w.write(parts[0] + "} " + parts[1] + " " + (start + 3600L * h) + "\n");
                    samples++;
                }
            }
            w.write("# EOF\n");
        }
        return samples;
    }

    private static String pod(int k) {
        int n = k % NODES;
        return "namespace=\"ns-" + (k % 40) + "\",pod=\"pod-" + k + "\",workload=\"w-" + (k % 200)
                + "\",workload_kind=\"Deployment\",node=\"node-" + n + "\",zone=\"" + ZONES[n % 3] + "\"";
    }

    /** A counter with a pseudo-random hourly increase (0 to ~100 MB, one hour in eight idle). */
    private static int counter(BufferedWriter w, StringBuilder sb, String labels, long start, long seed) throws IOException {
        long v = 0;
        long x = seed * 6364136223846793005L + 1442695040888963407L;
        for (int h = 0; h <= HOURS; h++) {
            sb.setLength(0);
            sb.append(labels).append(v).append(' ').append(start + 3600L * h).append('\n');
            w.append(sb);
            x = x * 6364136223846793005L + 1442695040888963407L;
            long r = (x >>> 33);
            v += (r & 7) == 0 ? 0 : r % 100_000_000L;
        }
        return HOURS + 1;
    }

    /** The month's bill, generated in DuckDB. */
    static long writeCur(Path file) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement st = db.createStatement()) {
            st.execute("SET TimeZone = 'UTC'");
            String hours = "SELECT TIMESTAMP '2026-10-01 00:00:00' + INTERVAL (h) HOUR AS s, h FROM range(" + HOURS + ") t(h)";
            st.execute("CREATE TABLE cur AS "
                    + "SELECT 'Usage' AS line_item_line_item_type, s AS line_item_usage_start_date,"
                    + " s + INTERVAL 1 HOUR AS line_item_usage_end_date, 'AWSDataTransfer' AS line_item_product_code,"
                    + " u.t AS line_item_usage_type, 'us-east-2' || chr(97 + (n % 3)::INT) AS line_item_availability_zone,"
                    + " 'i-' || lpad(n::VARCHAR, 3, '0') AS line_item_resource_id,"
                    + " ((h * 7 + n * 13) % 50)::DOUBLE AS line_item_usage_amount,"
                    + " round(((h * 7 + n * 13) % 50) * u.p, 10)::DOUBLE AS line_item_unblended_cost"
                    + " FROM (" + hours + ") hs, range(" + NODES + ") ns(n),"
                    + " (VALUES ('USE2-DataTransfer-Regional-Bytes', 0.01), ('USE2-DataTransfer-Out-Bytes', 0.09)) u(t, p)"
                    + " UNION ALL SELECT 'Usage', s, s + INTERVAL 1 HOUR, 'AmazonEC2', u.t, 'us-east-2' || chr(97 + g::INT),"
                    + " 'arn:aws:ec2:us-east-2:123456789012:natgateway/nat-' || g, u.a, u.c"
                    + " FROM (" + hours + ") hs, range(3) gs(g),"
                    + " (VALUES ('USE2-NatGateway-Hours', 1.0, 0.045), ('USE2-NatGateway-Bytes', 20.0, 0.9)) u(t, a, c)"
                    + " UNION ALL SELECT 'Usage', s, s + INTERVAL 1 HOUR, 'AWSELB', u.t, '',"
                    + " 'arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/k8s-alb-' || l || '/id' || l, u.a, u.c"
                    + " FROM (" + hours + ") hs, range(" + LBS + ") ls(l),"
                    + " (VALUES ('USE2-LoadBalancerUsage', 1.0, 0.0225), ('USE2-LCUUsage', 3.0, 0.024)) u(t, a, c)"
                    + " UNION ALL SELECT 'Usage', s, s + INTERVAL 1 HOUR, 'AmazonEC2', 'USE2-BoxUsage:m5.large', 'us-east-2a',"
                    + " 'i-' || lpad(n::VARCHAR, 3, '0'), 1.0, 0.096 FROM (" + hours + ") hs, range(" + NODES + ") ns(n)");
            st.execute("COPY cur TO '" + file.toAbsolutePath() + "' (FORMAT parquet)");
            try (var rs = st.executeQuery("SELECT count(*) FROM cur")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long jvmCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** CPU nanoseconds of the Prometheus listening on the fixture's port (found by its command line). */
    private static long prometheusCpu(PrometheusProcess prometheus) {
        String listen = "--web.listen-address=127.0.0.1:" + prometheus.baseUrl().getPort();
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(listen)).orElse(false))
                .findFirst()
                .flatMap(h -> h.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(0L);
    }

    private static double secs(long nanos) {
        return Math.round(nanos / 1e7) / 100.0;
    }
}
