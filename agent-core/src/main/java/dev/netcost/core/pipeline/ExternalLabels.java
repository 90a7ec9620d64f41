package dev.netcost.core.pipeline;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds the configured {@code externalLabels} (e.g. {@code cluster}, {@code job}) to every sample, as
 * Prometheus adds its {@code external_labels}: a label the series already has keeps its own value.
 * The merged label sets of one cycle are kept for the next, so that a steady set of series costs one
 * map lookup per sample rather than a new label set.
 */
final class ExternalLabels {
    private final String[] names;
    private final String[] values;
    private Map<Labels, Labels> merged = new HashMap<>();

    ExternalLabels(Map<String, String> labels) {
        this.names = labels.keySet().toArray(String[]::new);
        this.values = labels.values().toArray(String[]::new);
        for (int i = 0; i < names.length; i++) {
            if (!Labels.isValidLabelName(names[i]) || values[i] == null || values[i].isEmpty()) {
                throw new IllegalArgumentException("invalid external label " + names[i] + "=" + values[i]);
            }
        }
    }

    boolean isEmpty() {
        return names.length == 0;
    }

    /** The samples with the external labels added; only the label sets seen in this call are remembered. */
    List<Sample> apply(List<Sample> samples) {
        Map<Labels, Labels> next = new HashMap<>(Math.max(16, merged.size() * 4 / 3 + 1));
        List<Sample> out = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            Labels l = next.get(s.labels());
            if (l == null) {
                l = merged.get(s.labels());
                if (l == null) {
                    l = merge(s.labels());
                }
                next.put(s.labels(), l);
            }
            out.add(l == s.labels() ? s : new Sample(l, s.value(), s.timestampMs()));
        }
        merged = next;
        return out;
    }

    private Labels merge(Labels series) {
        Labels.Builder b = null;
        for (int i = 0; i < names.length; i++) {
            if (series.get(names[i]) == null) {
                b = b == null ? series.toBuilder() : b;
                b.add(names[i], values[i]);
            }
        }
        return b == null ? series : b.build();
    }
}
