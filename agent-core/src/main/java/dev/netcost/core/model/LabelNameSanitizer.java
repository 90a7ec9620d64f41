package dev.netcost.core.model;

/**
 * Turns Kubernetes label keys into Prometheus label names the way kube-state-metrics does:
 * {@code app.kubernetes.io/name} becomes {@code label_app_kubernetes_io_name}.
 */
public final class LabelNameSanitizer {
    private LabelNameSanitizer() {
    }

    /** {@code prefix} followed by {@code key} with every character outside [a-zA-Z0-9_] replaced by '_'. */
    public static String sanitize(String prefix, String key) {
        StringBuilder sb = new StringBuilder(prefix.length() + key.length());
        sb.append(prefix);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(ok ? c : '_');
        }
        String out = sb.toString();
        if (out.isEmpty() || (out.charAt(0) >= '0' && out.charAt(0) <= '9')) {
            out = "_" + out;
        }
        return out;
    }

    /** The {@code label_} form used by the {@code netcost_*_labels} series. */
    public static String labelKey(String kubernetesKey) {
        return sanitize("label_", kubernetesKey);
    }
}
