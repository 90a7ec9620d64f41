package dev.netcost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.testing.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's rule file through Prometheus' own promtool: {@code check rules}, and {@code test rules}
 * on every unit-test file in src/test/promtool (expected dollars worked out by hand in each file).
 */
class RecordingRulesPromtoolTest {
    static final Path RULES = Chart.DIR.resolve("files/netcost.rules.yml");
    static final Path UNIT_TESTS = Path.of("src/test/promtool");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> unitTestFiles() throws IOException {
        try (Stream<Path> files = Files.list(UNIT_TESTS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".test.yml")).sorted().toList().stream();
        }
    }

    @Test
    void ruleFile_passesPromtoolCheckRules() throws Exception {
        Promtool.Result r = Promtool.checkRules(RULES);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 18 rules found");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unitTestFiles")
    void unitTests_passPromtoolTestRules(Path file) throws Exception {
        Promtool.Result r = Promtool.testRules(file);
        assertThat(r.exitCode()).as("promtool test rules %s:%n%s", file, r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS");
    }

    @Test
    void everyRecordingRuleAndAlert_isExercisedByAUnitTest() throws Exception {
        StringBuilder exprs = new StringBuilder();
        Set<String> alertsTested = new LinkedHashSet<>();
        for (Path f : unitTestFiles().toList()) {
            for (JsonNode test : YAML.readTree(f.toFile()).get("tests")) {
                test.path("promql_expr_test").forEach(t -> exprs.append(t.get("expr").asText()).append('\n'));
                test.path("alert_rule_test").forEach(t -> {
                    if (!t.get("exp_alerts").isEmpty()) {
                        alertsTested.add(t.get("alertname").asText());
                    }
                });
            }
        }
        List<String> records = new ArrayList<>();
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (rule.has("record")) {
                    records.add(rule.get("record").asText());
                } else {
                    alerts.add(rule.get("alert").asText());
                }
            }
        }
        assertThat(records).isNotEmpty().allSatisfy(r -> assertThat(exprs).as("a promql_expr_test of %s", r).contains(r));
        assertThat(alertsTested).as("alerts seen firing in alert_rule_test").containsExactlyInAnyOrderElementsOf(alerts);
    }
}
