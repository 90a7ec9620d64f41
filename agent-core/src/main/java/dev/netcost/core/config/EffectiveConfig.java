package dev.netcost.core.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.netcost.core.k8s.Cidr;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders the effective configuration as YAML for {@code /debug/config}, in the shape of the config
 * file (exporter sections at the top level, durations like {@code 15s}) and with secrets redacted:
 * remote-write header values and any user-info or query values in URLs. File paths (token, password
 * and key files) are shown: they say where a secret is, not what it is.
 */
public final class EffectiveConfig {
    static final String REDACTED = "<redacted>";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            // Prices as written (800, not 8E+2), so the loader reads back the same decimals.
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .registerModule(new SimpleModule("netcost-effective-config")
                    .addSerializer(Duration.class, new AsString<>(Duration.class, Durations::format))
                    .addSerializer(Path.class, new AsString<>(Path.class, Path::toString))
                    .addSerializer(URI.class, new AsString<>(URI.class, u -> redactUrl(u.toString())))
                    .addSerializer(HostPort.class, new AsString<>(HostPort.class, HostPort::toString))
                    .addSerializer(Cidr.class, new AsString<>(Cidr.class, Cidr::toString)));

    private EffectiveConfig() {
    }

    public static String render(AgentConfig config) {
        ObjectNode root = YAML.valueToTree(config);
        JsonNode exporters = root.remove("exporters");
        for (JsonNode rw : root.withArray("remoteWrite")) {
            if (rw.get("headers") instanceof ObjectNode headers) {
                List<String> names = headers.properties().stream().map(Map.Entry::getKey).toList();
                names.forEach(name -> headers.put(name, REDACTED));
            }
        }
        if (exporters != null) {
            exporters.properties().forEach(e -> root.set(e.getKey(), e.getValue()));
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: cannot render a configuration tree as YAML", e);
        }
    }

    /** {@code url} without user-info and without query parameter values, which may carry tokens. */
    static String redactUrl(String url) {
        String u = ConfigNode.redactUrl(url);
        int q = u.indexOf('?');
        if (q < 0) {
            return u;
        }
        int hash = u.indexOf('#', q);
        String query = hash < 0 ? u.substring(q + 1) : u.substring(q + 1, hash);
        StringBuilder out = new StringBuilder(u.substring(0, q + 1));
        for (String param : query.split("&", -1)) {
            int eq = param.indexOf('=');
            if (out.charAt(out.length() - 1) != '?') {
                out.append('&');
            }
            out.append(eq < 0 ? param : param.substring(0, eq + 1) + REDACTED);
        }
        return hash < 0 ? out.toString() : out.append(u.substring(hash)).toString();
    }

    /** Writes a value as the string {@code format} gives. */
    private static final class AsString<T> extends StdSerializer<T> {
        private final Function<T, String> format;

        AsString(Class<T> type, Function<T, String> format) {
            super(type);
            this.format = format;
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format.apply(value));
        }
    }
}
