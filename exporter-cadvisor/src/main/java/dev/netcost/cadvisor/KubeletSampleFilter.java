package dev.netcost.cadvisor;

import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.SampleConsumer;
import java.util.HashSet;
import java.util.Set;

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
 */
final class KubeletSampleFilter implements CadvisorTextParser.Visitor {
    private final PodSeriesLabels podLabels;
    private final Set<Labels> emitted = new HashSet<>();
    private SampleConsumer out;

    KubeletSampleFilter(PodSeriesLabels podLabels) {
        this.podLabels = podLabels;
    }

    /** Starts a scrape whose samples go to {@code out}. */
    void begin(SampleConsumer out) {
        this.out = out;
        emitted.clear();
    }

    /** Ends the scrape; returns how many series were emitted. */
    int end() {
        int n = emitted.size();
        emitted.clear();
        out = null;
        return n;
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
        Labels.Builder b = podLabels.builder(family, namespace, pod);
        for (int i = 0; i < labels.size(); i++) {
            String name = labels.name(i);
            if (!isDropped(name)) {
                b.add(name, labels.value(i));
            }
        }
        Labels series = b.build();
        if (emitted.add(series)) {
            out.accept(series, value, timestampMs == CadvisorTextParser.NO_TIMESTAMP
                    ? SampleConsumer.NO_TIMESTAMP : timestampMs);
        }
    }

    private static boolean isDropped(String name) {
        return switch (name) {
            case "container", "id", "name", "image" -> true;
            default -> name.startsWith("__") || PodSeriesLabels.isOwnLabel(name);
        };
    }
}
