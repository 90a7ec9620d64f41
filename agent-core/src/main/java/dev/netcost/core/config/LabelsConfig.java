package dev.netcost.core.config;

import java.util.List;

/**
 * Kubernetes labels copied into series ({@code labels:}), allow-listed because every distinct value is
 * a new series.
 *
 * @param pod {@code labels.pod}: pod label keys the node agent emits as {@code netcost_pod_labels{namespace,pod,label_<key>}}
 *            (kube-state-metrics style), e.g. {@code [team]} for the cost rules' {@code team:} level; default none
 */
public record LabelsConfig(List<String> pod) {
    public static final LabelsConfig DEFAULT = new LabelsConfig(List.of());

    public LabelsConfig {
        pod = List.copyOf(pod);
    }

    static LabelsConfig parse(ConfigNode n) {
        LabelsConfig c = new LabelsConfig(n.labelKeys("pod"));
        n.finish();
        return c;
    }
}
