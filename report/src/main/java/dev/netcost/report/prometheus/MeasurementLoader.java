package dev.netcost.report.prometheus;

import dev.netcost.core.model.LabelNameSanitizer;
import dev.netcost.report.ReportException;
import dev.netcost.report.measure.Grouping;
import dev.netcost.report.measure.LoadBalancerRef;
import dev.netcost.report.measure.Measurements;
import dev.netcost.report.measure.NodeRef;
import dev.netcost.report.measure.PodRef;
import dev.netcost.report.measure.PriceBook;
import dev.netcost.report.measure.Window;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads the raw netcost series over the window, hour by hour, with {@code increase(...[1h])} for the
 * counters and {@code max_over_time(...[1h])} for info and price series, so it works without the
 * recording rules on Prometheus, VictoriaMetrics, Thanos and Mimir. External labels: {@code cluster}
 * is kept (pods of two clusters stay apart; {@code --cluster} selects one), {@code job} and every
 * other label are aggregated away so they neither split nor double rows. Long windows are read in
 * chunks, with a progress bar on a terminal.
 */
public final class MeasurementLoader {
    static final Duration STEP = Duration.ofHours(1);
    /** Requests in flight at once. */
    static final int IN_FLIGHT = 2;
    static final String POD_LABELS = "cluster, namespace, pod, workload, workload_kind, node, zone";

    private final PrometheusClient client;
    private final String cluster;
    private final Duration chunk;
    private final ProgressBar.Factory progress;

    /**
     * @param cluster  only series with this {@code cluster} label, or null for all
     * @param chunk    the longest span one request covers (whole hours)
     * @param progress makes the progress bar for a number of steps
     */
    public MeasurementLoader(PrometheusClient client, String cluster, Duration chunk, ProgressBar.Factory progress) {
        this.client = client;
        this.cluster = cluster;
        this.chunk = chunk;
        this.progress = progress;
    }

    /** One query and what to do with each of its series' hourly values. */
    private record Query(String name, String promql, SeriesSink sink) {
    }

    /** Makes, once per series, what takes the series' hourly values. */
    private interface SeriesSink {
        HourlyValue series(Map<String, String> labels);
    }

    private interface HourlyValue {
        void value(int hour, String value);
    }

    public Measurements load(Window window, Grouping grouping) throws ReportException {
        Measurements.Builder b = Measurements.builder(window);
        List<Query> queries = queries(b, grouping);
        List<Instant[]> chunks = chunks(window);
        ProgressBar bar = progress.create(chunks.size() * queries.size());
        // Prometheus evaluates a query on one core: keep IN_FLIGHT requests going, parse as they stream.
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT, r -> {
            Thread t = new Thread(r, "netcost-report-query");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (Instant[] c : chunks) {
                for (Query q : queries) {
                    pending.add(pool.submit(() -> {
                        // The value at the end of an hour is that hour's increase.
                        client.queryRange(q.promql(), c[0].plus(STEP), c[1], STEP, (labels, ts, values) -> {
                            synchronized (b) {
                                HourlyValue sink = q.sink().series(labels);
                                for (int i = 0; i < ts.length; i++) {
                                    int hour = window.hourOf(ts[i] - STEP.toSeconds());
                                    if (hour >= 0) {
                                        sink.value(hour, values[i]);
                                    }
                                }
                            }
                        });
                        synchronized (bar) {
                            bar.step(q.name() + " " + c[0]);
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> f : pending) {
                await(f);
            }
        } finally {
            pool.shutdownNow();
            bar.finish();
        }
        return b.build();
    }

    private static void await(Future<?> f) throws ReportException {
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ReportException r) {
                throw r;
            }
            throw ReportException.failure("query failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ReportException.failure("interrupted", e);
        }
    }

    List<Instant[]> chunks(Window window) {
        List<Instant[]> out = new ArrayList<>();
        Instant s = window.start();
        while (s.isBefore(window.end())) {
            Instant e = s.plus(chunk);
            if (e.isAfter(window.end())) {
                e = window.end();
            }
            out.add(new Instant[] {s, e});
            s = e;
        }
        return out;
    }

    private List<Query> queries(Measurements.Builder b, Grouping grouping) {
        List<Query> q = new ArrayList<>();
        q.add(new Query("pod bytes", "sum by (" + POD_LABELS + ", direction, class) (increase(netcost_pod_network_bytes_total"
                + selector("class=~\"cross_zone|internet\"") + "[1h]))",
                l -> {
                    PodRef pod = pod(l);
                    String direction = l.getOrDefault("direction", "");
                    String trafficClass = l.getOrDefault("class", "");
                    return (h, v) -> b.podBytes(pod, direction, trafficClass, h, bytes(v));
                }));
        q.add(new Query("load-balancer bytes", "sum by (" + POD_LABELS + ", load_balancer, load_balancer_type, class)"
                + " (increase(netcost_pod_load_balancer_bytes_total" + selector(null) + "[1h]))",
                l -> {
                    PodRef pod = pod(l);
                    LoadBalancerRef lb = lb(l);
                    String trafficClass = l.getOrDefault("class", "");
                    return (h, v) -> b.loadBalancerBytes(pod, lb, trafficClass, h, bytes(v));
                }));
        q.add(new Query("load-balancer connections", "sum by (" + POD_LABELS + ", load_balancer, load_balancer_type)"
                + " (increase(netcost_pod_load_balancer_connections_total" + selector(null) + "[1h]))",
                l -> {
                    PodRef pod = pod(l);
                    LoadBalancerRef lb = lb(l);
                    return (h, v) -> b.loadBalancerConnections(pod, lb, h, bytes(v));
                }));
        q.add(new Query("nodes", "max by (cluster, node, zone, region, instance_id) (max_over_time(netcost_node_info"
                + selector(null) + "[1h]))",
                l -> (h, v) -> b.nodeInfo(new NodeRef(l.getOrDefault("cluster", ""), l.getOrDefault("node", "")),
                        l.getOrDefault("instance_id", ""), l.getOrDefault("zone", ""), l.getOrDefault("region", ""), h)));
        q.add(new Query("load balancers", "max by (cluster, load_balancer, load_balancer_type, load_balancer_id)"
                + " (max_over_time(netcost_load_balancer_info" + selector(null) + "[1h]))",
                l -> (h, v) -> b.loadBalancerInfo(lb(l), l.getOrDefault("load_balancer_id", ""), h)));
        if (grouping.kind() == Grouping.Kind.LABEL) {
            String label = LabelNameSanitizer.labelKey(grouping.labelKey());
            q.add(new Query("pod labels", "max by (cluster, namespace, pod, " + label + ") (max_over_time(netcost_pod_labels"
                    + selector(label + "!=\"\"") + "[1h]))",
                    l -> (h, v) -> b.podLabel(l.getOrDefault("cluster", ""), l.getOrDefault("namespace", ""),
                            l.getOrDefault("pod", ""), l.getOrDefault(label, ""))));
        }
        q.add(new Query("prices", "max by (cluster, resource) (max_over_time(" + PriceBook.USD_PER_GB + selector(null) + "[1h]))",
                l -> (h, v) -> price(b, l, PriceBook.USD_PER_GB, l.getOrDefault("resource", ""), "", h, v)));
        q.add(new Query("prices", "max by (cluster, resource, load_balancer_type) (max_over_time(" + PriceBook.USD_PER_HOUR
                + selector(null) + "[1h]))",
                l -> (h, v) -> price(b, l, PriceBook.USD_PER_HOUR, l.getOrDefault("resource", ""),
                        l.getOrDefault("load_balancer_type", ""), h, v)));
        q.add(new Query("prices", "max by (cluster, load_balancer_type, dimension) (max_over_time(" + PriceBook.LCU_CAPACITY
                + selector(null) + "[1h]))",
                l -> (h, v) -> price(b, l, PriceBook.LCU_CAPACITY, l.getOrDefault("dimension", ""),
                        l.getOrDefault("load_balancer_type", ""), h, v)));
        q.add(new Query("prices", "max by (cluster) (max_over_time(" + PriceBook.GB_BYTES + selector(null) + "[1h]))",
                l -> (h, v) -> price(b, l, PriceBook.GB_BYTES, "", "", h, v)));
        return q;
    }

    /** {@code {matcher, cluster="..."}}, or "" when there is neither. */
    String selector(String matcher) {
        List<String> m = new ArrayList<>();
        if (matcher != null) {
            m.add(matcher);
        }
        if (cluster != null) {
            m.add("cluster=\"" + cluster.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return m.isEmpty() ? "" : "{" + String.join(", ", m) + "}";
    }

    private static PodRef pod(Map<String, String> l) {
        return new PodRef(l.getOrDefault("cluster", ""), l.getOrDefault("namespace", ""), l.getOrDefault("pod", ""),
                l.getOrDefault("workload", ""), l.getOrDefault("workload_kind", ""), l.getOrDefault("node", ""),
                l.getOrDefault("zone", ""));
    }

    private static LoadBalancerRef lb(Map<String, String> l) {
        return new LoadBalancerRef(l.getOrDefault("cluster", ""), l.getOrDefault("load_balancer", ""),
                l.getOrDefault("load_balancer_type", ""));
    }

    private static double bytes(String v) {
        try {
            double d = Double.parseDouble(v);
            return Double.isFinite(d) ? d : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void price(Measurements.Builder b, Map<String, String> l, String metric, String key, String type,
                              int hour, String v) {
        try {
            b.price(l.getOrDefault("cluster", ""), metric, key, type, hour, new BigDecimal(v));
        } catch (NumberFormatException e) {
            // NaN or Inf: no usable price in this hour.
        }
    }
}
