package dev.netcost.cadvisor;

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.SampleConsumer;
import java.util.Arrays;

/**
 * Keeps the pod-sandbox network series of a kubelet payload and turns them into samples.
 *
 * <p>cAdvisor reports a pod's network counters on the pod's own cgroup ({@code container=""}) and,
 * with some runtimes, again on the sandbox ({@code container="POD"}); both describe the one network
 * namespace of the pod. Series of application containers, and node-level series (no {@code pod}),
 * are dropped. Of cAdvisor's labels, {@code id} (the cgroup path), {@code name} (the runtime's
 * container name), {@code image} (the pause image) and {@code container} are dropped: they change
 * when a sandbox is recreated, which would start new series for the same pod, and they differ by
 * runtime. What remains is one series per pod, interface and family; a duplicate is emitted once.
 *
 * <p>The {@link Labels} of a series are built once and reused while the series keeps appearing and
 * the metadata index is unchanged, so a steady scrape allocates nothing per kept series. Public
 * for the JMH benchmarks in bench/.
 */
public final class KubeletSampleFilter implements CadvisorTextParser.Visitor {
    private final PodSeriesLabels podLabels;
    private final ClusterMetadata metadata;
    private Entry[] table = new Entry[1024];
    private int size;
    private String[] scratch = new String[16];
    private long scrape;
    private long generation = Long.MIN_VALUE;
    private int emitted;
    private int maxSeries = Integer.MAX_VALUE;
    private SampleConsumer out;

    /** One series: its family, kept cAdvisor labels (name, value pairs) and the labels to send. */
    private static final class Entry {
        final NetworkFamily family;
        final String[] pairs;
        final int hash;
        final Labels labels;
        long lastScrape;

        Entry(NetworkFamily family, String[] pairs, int hash, Labels labels) {
            this.family = family;
            this.pairs = pairs;
            this.hash = hash;
            this.labels = labels;
        }
    }

    KubeletSampleFilter(PodSeriesLabels podLabels, ClusterMetadata metadata) {
        this.podLabels = podLabels;
        this.metadata = metadata;
    }

    /** For the JMH benchmarks in bench/: the exporter's own filter over {@code metadata}. */
    public KubeletSampleFilter(ClusterMetadata metadata) {
        this(new PodSeriesLabels(metadata), metadata);
    }

    /** Makes a scrape that would emit more than {@code maxSeries} series fail with {@link TooManySeriesException}. */
    void maxSeries(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    /** Starts a scrape whose samples go to {@code out}. */
    public void begin(SampleConsumer out) {
        this.out = out;
        scrape++;
        emitted = 0;
        long g = metadata.generation();
        if (g != generation) {
            // Workloads or zones may have changed: rebuild every series' labels.
            Arrays.fill(table, null);
            size = 0;
            generation = g;
        }
    }

    /** Ends the scrape, forgetting series that did not appear in it; returns how many series were emitted. */
    public int end() {
        out = null;
        if (size > 0 && size > emitted * 2) {
            rehash(table.length, scrape);
        }
        return emitted;
    }

    @Override
    public void sample(NetworkFamily family, ParsedLabels labels, double value, long timestampMs) {
        String container = labels.get("container");
        if (container != null && !container.isEmpty() && !container.equals("POD")) {
            return;
        }
        String namespace = labels.get(PodSeriesLabels.NAMESPACE);
        String pod = labels.get(PodSeriesLabels.POD);
        if (namespace == null || namespace.isEmpty() || pod == null || pod.isEmpty()) {
            return;
        }
        int n = 0;
        int h = family.ordinal();
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            if (!isDropped(name) || name.equals(PodSeriesLabels.NAMESPACE) || name.equals(PodSeriesLabels.POD)) {
                if (n + 2 > scratch.length) {
                    scratch = Arrays.copyOf(scratch, scratch.length * 2);
                }
                scratch[n++] = name;
                scratch[n++] = labels.value(i);
                h = 31 * (31 * h + name.hashCode()) + labels.value(i).hashCode();
            }
        }
        Entry e = find(family, n, h);
        if (emitted >= maxSeries && (e == null || e.lastScrape != scrape)) {
            throw new TooManySeriesException(maxSeries);
        }
        if (e == null) {
            Labels.Builder b = podLabels.builder(family, namespace, pod);
            for (int i = 0; i < n; i += 2) {
                if (!PodSeriesLabels.isOwnLabel(scratch[i])) {
                    b.add(scratch[i], scratch[i + 1]);
                }
            }
            e = new Entry(family, Arrays.copyOf(scratch, n), h, b.build());
            insert(e);
        } else if (e.lastScrape == scrape) {
            return; // the same series again (container="" and container="POD")
        }
        e.lastScrape = scrape;
        emitted++;
        out.accept(e.labels, value, timestampMs == CadvisorTextParser.NO_TIMESTAMP
                ? SampleConsumer.NO_TIMESTAMP : timestampMs);
    }

    private Entry find(NetworkFamily family, int n, int h) {
        int mask = table.length - 1;
        for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
            Entry e = table[i];
            if (e == null) {
                return null;
            }
            if (e.hash == h && e.family == family && e.pairs.length == n && samePairs(e.pairs, n)) {
                return e;
            }
        }
    }

    private boolean samePairs(String[] pairs, int n) {
        for (int i = 0; i < n; i++) {
            if (!pairs[i].equals(scratch[i])) {
                return false;
            }
        }
        return true;
    }

    private void insert(Entry e) {
        if ((size + 1) * 2 > table.length) {
            rehash(table.length * 2, Long.MIN_VALUE);
        }
        put(table, e);
        size++;
    }

    /** Rebuilds the table at {@code capacity}, keeping entries seen at or after {@code minScrape}. */
    private void rehash(int capacity, long minScrape) {
        Entry[] old = table;
        table = new Entry[capacity];
        size = 0;
        for (Entry e : old) {
            if (e != null && e.lastScrape >= minScrape) {
                put(table, e);
                size++;
            }
        }
    }

    private static void put(Entry[] t, Entry e) {
        int mask = t.length - 1;
        int i = spread(e.hash) & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = e;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    private static boolean isDropped(String name) {
        return switch (name) {
            case "container", "id", "name", "image" -> true;
            default -> name.startsWith("__") || PodSeriesLabels.isOwnLabel(name);
        };
    }

    /** A scrape holds more series than the memory budget allows; thrown through the parser. */
    static final class TooManySeriesException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int limit;

        TooManySeriesException(int limit) {
            super("more than " + limit + " series", null, false, false);
            this.limit = limit;
        }

        int limit() {
            return limit;
        }
    }
}
