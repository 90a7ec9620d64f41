package dev.netcost.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.netcost.core.model.LabelNameSanitizer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One mapping of the configuration tree, read with typed getters that fall back to documented
 * defaults and report problems to a shared {@link ConfigErrors} instead of throwing. After reading,
 * {@link #finish()} reports every key that no getter asked for, so a typo never goes unnoticed.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final ConfigErrors errors;
    private final Set<String> seen = new LinkedHashSet<>();

    public ConfigNode(JsonNode node, String path, ConfigErrors errors) {
        this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
        this.path = path;
        this.errors = errors;
        if (!this.node.isMissingNode() && !this.node.isObject()) {
            errors.add(path, "must be a mapping of keys to values");
        }
    }

    public String path() {
        return path;
    }

    public ConfigErrors errors() {
        return errors;
    }

    public boolean isPresent() {
        return node.isObject();
    }

    public boolean has(String key) {
        return node.isObject() && node.has(key) && !node.get(key).isNull();
    }

    /** Reports a problem with {@code key} of this node. */
    public void error(String key, String problem) {
        errors.add(keyPath(key), problem);
    }

    public String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private JsonNode get(String key) {
        seen.add(key);
        if (!node.isObject()) {
            return null;
        }
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String key, String def) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        if (!v.isValueNode()) {
            error(key, "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
            return def;
        }
        return v.asText();
    }

    public String requiredString(String key) {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            if (!has(key) || s != null) {
                error(key, "is required");
            }
            return null;
        }
        return s;
    }

    public boolean bool(String key, boolean def) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String t = v.asText();
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(t);
        }
        error(key, "must be true or false, got '" + t + "'");
        return def;
    }

    public int integer(String key, int def, int min, int max) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        try {
            if (v.isNumber() && !v.canConvertToExactIntegral()) {
                throw new NumberFormatException();
            }
            // BigInteger: a number beyond a long must be out of range, not wrapped into it.
            BigInteger n = v.isNumber() ? v.bigIntegerValue() : new BigInteger(v.asText().trim());
            if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
                error(key, "must be between " + min + " and " + max + ", got " + n);
                return def;
            }
            return n.intValue();
        } catch (NumberFormatException e) {
            error(key, "must be a whole number, got '" + v.asText() + "'");
            return def;
        }
    }

    /**
     * An exact decimal such as a price ({@code 0.0225}), read from its text so that no binary rounding
     * creeps in; {@code def} when absent. NaN, infinities and values below {@code min} are errors.
     */
    public BigDecimal decimal(String key, BigDecimal def, BigDecimal min) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        BigDecimal d;
        try {
            if (!v.isValueNode() || v.isBoolean()) {
                throw new NumberFormatException();
            }
            d = new BigDecimal(v.asText().trim());
        } catch (NumberFormatException e) {
            error(key, "must be a decimal number such as 0.0225, got '" + (v.isValueNode() ? v.asText() : v) + "'");
            return def;
        }
        if (d.compareTo(min) < 0) {
            error(key, "must be at least " + min.toPlainString() + ", got " + d.toPlainString());
            return def;
        }
        return d;
    }

    /**
     * A list of Kubernetes label keys to copy into {@code label_<key>} labels: none empty, and no two
     * that become the same label name (as {@code app.kubernetes.io/name} and {@code app_kubernetes_io/name} do).
     */
    public List<String> labelKeys(String key) {
        List<String> keys = stringList(key);
        Map<String, String> bySanitized = new HashMap<>();
        for (String k : keys) {
            if (k.isBlank()) {
                error(key, "contains an empty label key");
                continue;
            }
            String other = bySanitized.put(LabelNameSanitizer.labelKey(k), k);
            if (other != null) {
                error(key, "'" + other + "' and '" + k + "' both become the label "
                        + LabelNameSanitizer.labelKey(k) + "; keep one of them");
            }
        }
        return keys;
    }

    public Duration duration(String key, Duration def, Duration min) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        try {
            Duration d = Durations.parse(v.asText().trim());
            if (d.compareTo(min) < 0) {
                error(key, "must be at least " + Durations.format(min) + ", got '" + v.asText() + "'");
                return def;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(key, e.getMessage());
            return def;
        }
    }

    public long bytes(String key, long def, long min) {
        JsonNode v = get(key);
        if (v == null) {
            return def;
        }
        try {
            long n = ByteSizes.parse(v.asText());
            if (n < min) {
                error(key, "must be at least " + min + " bytes, got '" + v.asText() + "'");
                return def;
            }
            return n;
        } catch (IllegalArgumentException | ArithmeticException e) {
            error(key, e.getMessage() == null ? "invalid size '" + v.asText() + "'" : e.getMessage());
            return def;
        }
    }

    /** A path, or {@code def} when absent; a path that cannot exist on this OS is an error. */
    public Path path(String key, Path def) {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            return def;
        }
        try {
            return Path.of(s);
        } catch (InvalidPathException e) {
            error(key, "invalid path '" + s + "'");
            return def;
        }
    }

    /** An absolute http or https URL with a host, or null (with an error when present but invalid). */
    public URI httpUrl(String key, boolean required) {
        String s = string(key, null);
        if (s == null || s.isBlank()) {
            if (required) {
                error(key, "is required");
            }
            return null;
        }
        try {
            URI u = new URI(s.trim());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                error(key, "must be an http:// or https:// URL, got '" + redactUrl(s) + "'");
                return null;
            }
            if (u.getHost() == null) {
                error(key, "must name a host, got '" + redactUrl(s) + "'");
                return null;
            }
            return u;
        } catch (URISyntaxException e) {
            error(key, "invalid URL '" + redactUrl(s) + "': " + e.getReason());
            return null;
        }
    }

    /** A host:port listen address; {@code :9808} means all interfaces. */
    public HostPort hostPort(String key, HostPort def) {
        String s = string(key, null);
        if (s == null) {
            return def;
        }
        try {
            return HostPort.parse(s.trim());
        } catch (IllegalArgumentException e) {
            error(key, e.getMessage());
            return def;
        }
    }

    public Map<String, String> stringMap(String key) {
        JsonNode v = get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            error(key, "must be a mapping of names to values");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                error(key + "." + e.getKey(), "must be a single value");
                continue;
            }
            out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
        }
        return out;
    }

    public List<String> stringList(String key) {
        JsonNode v = array(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode()) {
                error(key + "[" + i + "]", "must be a single value");
            } else {
                out.add(v.get(i).asText());
            }
        }
        return out;
    }

    /** The list at {@code key}; null when absent or (reported) not a list. */
    private JsonNode array(String key) {
        JsonNode v = get(key);
        if (v != null && !v.isArray()) {
            error(key, "must be a list");
            return null;
        }
        return v;
    }

    /** A nested mapping; absent becomes an empty node so defaults apply. */
    public ConfigNode child(String key) {
        return new ConfigNode(get(key), keyPath(key), errors);
    }

    /** A list of mappings. */
    public List<ConfigNode> list(String key) {
        JsonNode v = array(key);
        List<ConfigNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigNode(v.get(i), keyPath(key) + "[" + i + "]", errors));
        }
        return out;
    }

    /** Keys present in the file that no getter read. */
    public List<String> unreadKeys() {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(k -> {
                if (!seen.contains(k)) {
                    out.add(k);
                }
            });
        }
        return out;
    }

    /** Reports every key of this mapping that no getter read as unknown, naming the known ones. */
    public void finish() {
        for (String k : unreadKeys()) {
            error(k, "unknown key (known keys here: " + String.join(", ", seen) + ")");
        }
    }

    /** {@code url} with any user-info replaced, for messages and logs. */
    public static String redactUrl(String url) {
        int scheme = url.indexOf("://");
        int at = url.indexOf('@');
        int slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            return url.substring(0, scheme + 3) + "<redacted>@" + url.substring(at + 1);
        }
        return url;
    }
}
