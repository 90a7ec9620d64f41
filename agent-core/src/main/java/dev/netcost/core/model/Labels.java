package dev.netcost.core.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An immutable, validated label set, including the metric name as {@code __name__}.
 *
 * <p>Labels are kept sorted by name, which is what remote-write 1.0 requires on the wire and what
 * makes equality a plain array comparison. Empty values are dropped (Prometheus treats an empty
 * label as absent), duplicate names and names outside {@code [a-zA-Z_][a-zA-Z0-9_]*} are rejected.
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";

    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private final String[] names;
    private final String[] values;
    private final int hash;

    private Labels(String[] names, String[] values) {
        this.names = names;
        this.values = values;
        this.hash = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
    }

    public static Builder builder(String metricName) {
        return new Builder().add(METRIC_NAME, metricName);
    }

    /** A label set for {@code metricName} with alternating name/value pairs. */
    public static Labels of(String metricName, String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) {
            throw new IllegalArgumentException("label pairs must come as name, value: " + Arrays.toString(nameValuePairs));
        }
        Builder b = builder(metricName);
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            b.add(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return b.build();
    }

    public static boolean isValidLabelName(String name) {
        return name != null && LABEL_NAME.matcher(name).matches();
    }

    public static boolean isValidMetricName(String name) {
        return name != null && METRIC.matcher(name).matches();
    }

    public int size() {
        return names.length;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The value of {@code name}, or null when absent. */
    public String get(String name) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? values[i] : null;
    }

    public String metricName() {
        return get(METRIC_NAME);
    }

    /** A builder holding these labels, to add or replace some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < names.length; i++) {
            b.add(names[i], values[i]);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Labels other) || other.hash != hash) {
            return false;
        }
        return Arrays.equals(names, other.names) && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Labels o) {
        int n = Math.min(names.length, o.names.length);
        for (int i = 0; i < n; i++) {
            int c = names[i].compareTo(o.names[i]);
            if (c != 0) {
                return c;
            }
            c = values[i].compareTo(o.values[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(names.length, o.names.length);
    }

    /** Prometheus text form: {@code name{a="b",c="d"}}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String metric = metricName();
        if (metric != null) {
            sb.append(metric);
        }
        sb.append('{');
        boolean first = true;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(METRIC_NAME)) {
                continue;
            }
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(names[i]).append("=\"");
            TextEscaper.appendLabelValue(sb, values[i]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    /** Collects labels in any order; {@link #build()} sorts and validates them. */
    public static final class Builder {
        private String[] names = new String[8];
        private String[] values = new String[8];
        private int size;

        private Builder() {
        }

        /** Adds a label; an empty or null value is dropped, as Prometheus would drop it. */
        public Builder add(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (value == null || value.isEmpty()) {
                return this;
            }
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            values[size] = value;
            size++;
            return this;
        }

        /** Adds a label, replacing any earlier value of the same name. */
        public Builder put(String name, String value) {
            for (int i = 0; i < size; i++) {
                if (names[i].equals(name)) {
                    System.arraycopy(names, i + 1, names, i, size - i - 1);
                    System.arraycopy(values, i + 1, values, i, size - i - 1);
                    size--;
                    break;
                }
            }
            return add(name, value);
        }

        public Labels build() {
            String[] n = Arrays.copyOf(names, size);
            String[] v = Arrays.copyOf(values, size);
            sortByName(n, v);
            for (int i = 0; i < size; i++) {
                if (n[i].equals(METRIC_NAME)) {
                    if (!isValidMetricName(v[i])) {
                        throw new IllegalArgumentException("invalid metric name '" + v[i] + "': must match [a-zA-Z_:][a-zA-Z0-9_:]*");
                    }
                } else if (!isValidLabelName(n[i])) {
                    throw new IllegalArgumentException("invalid label name '" + n[i] + "': must match [a-zA-Z_][a-zA-Z0-9_]*");
                }
                if (i > 0 && n[i].equals(n[i - 1])) {
                    throw new IllegalArgumentException("duplicate label name '" + n[i] + "'");
                }
            }
            return new Labels(n, v);
        }

        // Insertion sort: label sets are small and usually almost sorted.
        private static void sortByName(String[] n, String[] v) {
            for (int i = 1; i < n.length; i++) {
                String kn = n[i];
                String kv = v[i];
                int j = i - 1;
                while (j >= 0 && n[j].compareTo(kn) > 0) {
                    n[j + 1] = n[j];
                    v[j + 1] = v[j];
                    j--;
                }
                n[j + 1] = kn;
                v[j + 1] = kv;
            }
        }
    }
}
