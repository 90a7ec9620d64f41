package dev.netcost.report.measure;

import java.util.Objects;

/**
 * What the report's rows are: {@code --by namespace}, {@code workload} ({@code namespace/workload}) or
 * {@code label:KEY} (the value of the allow-listed pod label KEY, from {@code netcost_pod_labels}).
 *
 * @param kind     namespace, workload or label
 * @param labelKey the Kubernetes label key for {@link Kind#LABEL}, else ""
 */
public record Grouping(Kind kind, String labelKey) {
    /** The group of pods without the grouping label, or without a workload. */
    public static final String NONE = "<none>";

    public enum Kind {
        NAMESPACE, WORKLOAD, LABEL
    }

    public Grouping {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(labelKey, "labelKey");
    }

    /** Parses {@code namespace}, {@code workload} or {@code label:KEY}; null when it is none of them. */
    public static Grouping parse(String text) {
        if (text.equals("namespace")) {
            return new Grouping(Kind.NAMESPACE, "");
        }
        if (text.equals("workload")) {
            return new Grouping(Kind.WORKLOAD, "");
        }
        if (text.startsWith("label:") && text.length() > "label:".length()) {
            return new Grouping(Kind.LABEL, text.substring("label:".length()));
        }
        return null;
    }

    /** The group a pod belongs to. */
    public String groupOf(PodRef pod, Measurements m) {
        return switch (kind) {
            case NAMESPACE -> pod.namespace();
            case WORKLOAD -> pod.namespace() + "/" + (pod.workload().isEmpty() ? NONE : pod.workload());
            case LABEL -> {
                String v = m.podLabel(pod);
                yield v == null ? NONE : v;
            }
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NAMESPACE -> "namespace";
            case WORKLOAD -> "workload";
            case LABEL -> "label:" + labelKey;
        };
    }
}
