package dev.netcost.core.k8s;

import dev.netcost.core.model.LabelNameSanitizer;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.util.List;

/**
 * {@code netcost_pod_labels{namespace,pod,label_<key>}} (value 1) for every pod on this node, with the
 * allow-listed pod label keys ({@code labels.pod}) as kube-state-metrics names them. Every local pod
 * gets a series, labelled or not, so that a join through it keeps every pod's cost: a pod without the
 * label joins with no {@code label_<key>} at all. Emits nothing when no key is allow-listed.
 */
public final class PodLabelsExporter implements Exporter {
    static final String SERIES = "netcost_pod_labels";

    private final ClusterMetadata metadata;
    private final List<String> keys;
    private final String[] names;

    public PodLabelsExporter(ClusterMetadata metadata, List<String> keys) {
        this.metadata = metadata;
        this.keys = List.copyOf(keys);
        this.names = this.keys.stream().map(LabelNameSanitizer::labelKey).toArray(String[]::new);
    }

    @Override
    public String name() {
        return "pod_labels";
    }

    @Override
    public void collect(SampleConsumer out) {
        if (keys.isEmpty()) {
            return;
        }
        for (PodInfo pod : metadata.localPods()) {
            Labels.Builder b = Labels.builder(SERIES).add("namespace", pod.namespace()).add("pod", pod.name());
            for (int i = 0; i < names.length; i++) {
                b.add(names[i], pod.labels().get(keys.get(i))); // absent or empty: no label, as in Prometheus
            }
            out.accept(b.build(), 1);
        }
    }
}
