package dev.netcost.bench;

import dev.netcost.cadvisor.CadvisorTextParser;
import dev.netcost.cadvisor.KubeletSampleFilter;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parses a generated kubelet {@code /metrics/cadvisor} payload of {@code pods} pods (a pod-level row
 * and three containers each — app, sidecar, pause — over the usual cAdvisor families: cpu, memory,
 * fs, blkio, tasks, spec, ulimits, network), keeping the eight network families.
 * {@code parseOnly} is the parser alone; {@code parseAndBuildSeries} is the exporter's whole path
 * after the HTTP body is in memory (sandbox filter, label enrichment, Labels objects). Scores are
 * per payload; MB/s = payload bytes (printed at set-up) / time. Run with {@code -prof gc}:
 * {@code gc.alloc.rate.norm} / kept series = bytes allocated per kept series.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class CadvisorParseBenchmark {
    @Param({"110", "250"})
    public int pods;

    private byte[] payload;
    private final CadvisorTextParser parser = new CadvisorTextParser();
    private KubeletSampleFilter filter;

    @Setup
    public void setUp() {
        payload = Payload.generate(pods, 42);
        StringBuilder yaml = new StringBuilder("nodeName: ip-10-0-12-34.us-east-2.compute.internal\nzone: us-east-2a\npods:\n");
        for (int p = 0; p < pods; p++) {
            yaml.append("  - {namespace: ").append(Payload.namespace(p)).append(", name: ").append(Payload.pod(p))
                    .append(", ip: 10.1.").append(p / 250).append('.').append(p % 250 + 1)
                    .append(", workload: ").append(Payload.workload(p)).append(", workloadKind: Deployment}\n");
        }
        AgentConfig config = new ConfigLoader(Map.of(), List.of()).loadString(yaml.toString());
        filter = new KubeletSampleFilter(new StaticClusterMetadata(config));
        int[] kept = new int[1];
        filter.begin((l, v, ts) -> kept[0]++);
        int malformed = parser.parse(payload, 0, payload.length, filter);
        filter.end();
        if (malformed != 0 || kept[0] != pods * 8) {
            throw new IllegalStateException("BUG: generated payload gave " + malformed + " malformed lines and "
                    + kept[0] + " series, expected " + pods * 8);
        }
        System.out.printf("%n[payload] pods=%d bytes=%d keptSeries=%d%n", pods, payload.length, kept[0]);
    }

    @Benchmark
    public int parseOnly(Blackhole bh) {
        return parser.parse(payload, 0, payload.length, (f, l, v, ts) -> bh.consume(v));
    }

    @Benchmark
    public int parseAndBuildSeries(Blackhole bh) {
        filter.begin((Labels l, double v, long ts) -> bh.consume(l));
        parser.parse(payload, 0, payload.length, filter);
        return filter.end();
    }

    /** A kubelet-like payload: families grouped with HELP/TYPE, Go-formatted values, millisecond timestamps. */
    static final class Payload {
        private static final String[] CONTAINER_FAMILIES = {
            "container_cpu_cfs_periods_total", "container_cpu_cfs_throttled_periods_total",
            "container_cpu_cfs_throttled_seconds_total", "container_cpu_load_average_10s",
            "container_cpu_system_seconds_total", "container_cpu_usage_seconds_total", "container_cpu_user_seconds_total",
            "container_file_descriptors", "container_fs_inodes_free", "container_fs_inodes_total",
            "container_fs_io_current", "container_fs_io_time_seconds_total", "container_fs_io_time_weighted_seconds_total",
            "container_fs_limit_bytes", "container_fs_read_seconds_total", "container_fs_reads_bytes_total",
            "container_fs_reads_merged_total", "container_fs_reads_total", "container_fs_sector_reads_total",
            "container_fs_sector_writes_total", "container_fs_usage_bytes", "container_fs_write_seconds_total",
            "container_fs_writes_bytes_total", "container_fs_writes_merged_total", "container_fs_writes_total",
            "container_last_seen", "container_memory_cache", "container_memory_failcnt", "container_memory_mapped_file",
            "container_memory_max_usage_bytes", "container_memory_rss", "container_memory_swap",
            "container_memory_usage_bytes", "container_memory_working_set_bytes", "container_oom_events_total",
            "container_processes", "container_sockets", "container_spec_cpu_period", "container_spec_cpu_quota",
            "container_spec_cpu_shares", "container_spec_memory_limit_bytes",
            "container_spec_memory_reservation_limit_bytes", "container_spec_memory_swap_limit_bytes",
            "container_start_time_seconds", "container_threads", "container_threads_max"};
        private static final String[] NETWORK_FAMILIES = {
            "container_network_receive_bytes_total", "container_network_receive_errors_total",
            "container_network_receive_packets_dropped_total", "container_network_receive_packets_total",
            "container_network_transmit_bytes_total", "container_network_transmit_errors_total",
            "container_network_transmit_packets_dropped_total", "container_network_transmit_packets_total"};
        private static final String[] CONTAINERS = {"", "app", "istio-proxy", "POD"};
        private static final String[] TASK_STATES = {"iowaiting", "running", "sleeping", "stopped", "uninterruptible"};

        static String namespace(int p) {
            return "team-" + (p % 17);
        }

        static String pod(int p) {
            return workload(p) + "-7d9f8b6c5-" + Integer.toString(1_000_000 + p * 7919, 36);
        }

        static String workload(int p) {
            return "service-" + (p % 41);
        }

        private static String uid(int p) {
            return String.format("%08x-1c2d-4e5f-8a9b-%012x", 0x3b1f6a7e + p, 0x0c1d2e3f4a5bL + p);
        }

        static byte[] generate(int pods, long seed) {
            Random r = new Random(seed);
            StringBuilder sb = new StringBuilder(pods * 80_000);
            long ts = 1_764_000_000_000L;
            for (String family : CONTAINER_FAMILIES) {
                header(sb, family, family.endsWith("_total") ? "counter" : "gauge");
                for (int p = 0; p < pods; p++) {
                    for (String c : CONTAINERS) {
                        boolean fs = family.startsWith("container_fs_");
                        row(sb, family, p, c, fs ? ",device=\"/dev/nvme0n1p1\"" : "", r, ts);
                    }
                }
            }
            header(sb, "container_memory_failures_total", "counter");
            for (int p = 0; p < pods; p++) {
                for (String c : CONTAINERS) {
                    for (String type : new String[] {"pgfault", "pgmajfault"}) {
                        for (String scope : new String[] {"container", "hierarchy"}) {
                            row(sb, "container_memory_failures_total", p, c,
                                    ",failure_type=\"" + type + "\",scope=\"" + scope + "\"", r, ts);
                        }
                    }
                }
            }
            header(sb, "container_tasks_state", "gauge");
            for (int p = 0; p < pods; p++) {
                for (String c : CONTAINERS) {
                    for (String s : TASK_STATES) {
                        row(sb, "container_tasks_state", p, c, ",state=\"" + s + "\"", r, ts);
                    }
                }
            }
            header(sb, "container_ulimits_soft", "gauge");
            for (int p = 0; p < pods; p++) {
                for (String c : CONTAINERS) {
                    row(sb, "container_ulimits_soft", p, c, ",ulimit=\"max_open_files\"", r, ts);
                }
            }
            for (String family : NETWORK_FAMILIES) {
                header(sb, family, "counter");
                for (int p = 0; p < pods; p++) {
                    row(sb, family, p, "", ",interface=\"eth0\"", r, ts);
                }
            }
            header(sb, "container_scrape_error", "gauge");
            sb.append("container_scrape_error 0\n");
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }

        private static void header(StringBuilder sb, String family, String type) {
            sb.append("# HELP ").append(family).append(" Generated help text for ").append(family).append(".\n");
            sb.append("# TYPE ").append(family).append(' ').append(type).append('\n');
        }

        private static void row(StringBuilder sb, String family, int p, String container, String extra, Random r,
                long ts) {
            String podCgroup = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                    + uid(p).replace('-', '_') + ".slice";
            String id = container.isEmpty() ? podCgroup
                    : podCgroup + "/cri-containerd-" + Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong())
                            + ".scope";
            String image = container.isEmpty() ? "" : container.equals("POD") ? "registry.k8s.io/pause:3.9"
                    : "123456789012.dkr.ecr.us-east-2.amazonaws.com/" + workload(p) + ":v1." + (p % 9);
            sb.append(family).append("{container=\"").append(container).append('"').append(extra)
                    .append(",id=\"").append(id).append("\",image=\"").append(image).append("\",name=\"")
                    .append(container.isEmpty() ? "" : Long.toHexString(r.nextLong())).append("\",namespace=\"")
                    .append(namespace(p)).append("\",pod=\"").append(pod(p)).append("\"} ");
            long v = r.nextInt(4) == 0 ? r.nextInt(100) : Math.abs(r.nextLong() % 100_000_000_000L);
            if (v > 1_000_000) {
                sb.append(String.format("%.8e", (double) v)); // Go's %g look: 1.23456789e+10
            } else {
                sb.append(v);
            }
            sb.append(' ').append(ts + r.nextInt(15_000)).append('\n');
        }
    }
}
