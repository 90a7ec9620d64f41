package dev.netcost.core.testing;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One series of a query result: all its labels (including {@code __name__} when the query keeps it)
 * and its points — one for an instant vector or a scalar, every raw point for a range selector.
 */
public record QueriedSeries(Map<String, String> labels, List<QueriedSample> samples) {

    public QueriedSeries {
        labels = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(labels, "labels")));
        samples = List.copyOf(Objects.requireNonNull(samples, "samples"));
    }

    /** The {@code __name__} label, or null when the query dropped it. */
    public String name() {
        return labels.get("__name__");
    }

    /** The labels without {@code __name__}. */
    public Map<String, String> labelsWithoutName() {
        Map<String, String> copy = new TreeMap<>(labels);
        copy.remove("__name__");
        return Collections.unmodifiableMap(copy);
    }

    /** The value of an instant-vector or scalar result, which has exactly one point. */
    public double value() {
        return single().value();
    }

    /** The evaluation timestamp of an instant-vector or scalar result. */
    public long timestampMillis() {
        return single().timestampMillis();
    }

    private QueriedSample single() {
        if (samples.size() != 1) {
            throw new IllegalStateException("expected exactly one point, got " + samples.size() + " in " + this);
        }
        return samples.get(0);
    }
}
