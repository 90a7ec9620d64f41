package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The chart's README lists every value, and values.schema.json knows every value and closes every object. */
class ValuesReferenceTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\|");

    private JsonNode values;
    private JsonNode schema;
    private Set<String> documented;

    @BeforeEach
    void read() throws Exception {
        values = YAML.readTree(Chart.DIR.resolve("values.yaml").toFile());
        schema = JSON.readTree(Chart.DIR.resolve("values.schema.json").toFile());
        documented = new LinkedHashSet<>();
        Matcher m = ROW.matcher(Files.readString(Chart.DIR.resolve("README.md")));
        while (m.find()) {
            documented.add(m.group(1));
        }
    }

    @Test
    void readmeListsEveryValue() {
        List<String> missing = new ArrayList<>();
        undocumented(values, "", missing);
        assertThat(missing).as("values.yaml keys without a row in README.md").isEmpty();
    }

    /** A row documents its key and everything below it (nodeAgent.affinity covers its nested default). */
    private void undocumented(JsonNode node, String path, List<String> missing) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (documented.contains(key)) {
                continue;
            }
            if (e.getValue().isObject() && e.getValue().size() > 0) {
                undocumented(e.getValue(), key, missing);
            } else {
                missing.add(key);
            }
        }
    }

    @Test
    void readmeListsNoValueThatDoesNotExist() {
        assertThat(documented).isNotEmpty().allSatisfy(key -> {
            JsonNode n = values;
            for (String part : key.split("\\.(?=[a-zA-Z])")) {
                n = n.get(part);
                assertThat(n).as("README row %s names no key of values.yaml", key).isNotNull();
            }
        });
    }

    @Test
    void schemaKnowsEveryValue() {
        List<String> unknown = new ArrayList<>();
        unknownToSchema(values, schema, "", unknown);
        assertThat(unknown).as("values.yaml keys the schema would reject").isEmpty();
    }

    private void unknownToSchema(JsonNode value, JsonNode s, String path, List<String> unknown) {
        s = resolve(s);
        if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode child = s.path("properties").get(e.getKey());
                if (child == null && s.get("additionalProperties") != null && s.get("additionalProperties").isObject()) {
                    child = s.get("additionalProperties");
                }
                if (child == null) {
                    unknown.add(key);
                } else {
                    unknownToSchema(e.getValue(), child, key, unknown);
                }
            }
        } else if (value.isArray() && s.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                unknownToSchema(value.get(i), s.get("items"), path + "[" + i + "]", unknown);
            }
        }
    }

    /** additionalProperties: false wherever properties are listed: a misspelled key is an error everywhere. */
    @Test
    void everyObjectWithPropertiesIsClosed() {
        List<String> open = new ArrayList<>();
        closed(schema, "#", open);
        assertThat(open).as("object schemas without additionalProperties: false").isEmpty();
    }

    private static void closed(JsonNode s, String where, List<String> open) {
        if (s.isObject()) {
            if (s.has("properties") && !s.path("additionalProperties").isBoolean()) {
                open.add(where);
            }
            s.fields().forEachRemaining(e -> closed(e.getValue(), where + "/" + e.getKey(), open));
        } else if (s.isArray()) {
            for (int i = 0; i < s.size(); i++) {
                closed(s.get(i), where + "/" + i, open);
            }
        }
    }

    private JsonNode resolve(JsonNode s) {
        while (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            s = schema.at(ref.substring(1));
        }
        return s;
    }
}
