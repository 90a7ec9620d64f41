package dev.netcost.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelsTest {
    @Test
    void sortsByName_withMetricNameFirst() {
        Labels l = Labels.of("m", "zone", "a", "node", "n1", "app", "x");
        assertThat(l.size()).isEqualTo(4);
        assertThat(l.name(0)).isEqualTo("__name__");
        assertThat(l.name(1)).isEqualTo("app");
        assertThat(l.name(2)).isEqualTo("node");
        assertThat(l.name(3)).isEqualTo("zone");
        assertThat(l.metricName()).isEqualTo("m");
    }

    @Test
    void dropsEmptyValues() {
        Labels l = Labels.of("m", "a", "", "b", "1");
        assertThat(l.get("a")).isNull();
        assertThat(l.size()).isEqualTo(2);
        assertThat(l).isEqualTo(Labels.of("m", "b", "1"));
    }

    @Test
    void rejectsDuplicateNames() {
        assertThatThrownBy(() -> Labels.of("m", "a", "1", "a", "2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate label name 'a'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1abc", "a-b", "a.b", "", "é"})
    void rejectsInvalidLabelNames(String name) {
        assertThatThrownBy(() -> Labels.of("m", name, "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"a:b, true", "_x, true", ":m, true", "1m, false", "m-1, false", "m.x, false"})
    void checksMetricNames(String name, boolean valid) {
        assertThat(Labels.isValidMetricName(name)).isEqualTo(valid);
        if (!valid) {
            assertThatThrownBy(() -> Labels.of(name)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invalid metric name");
        }
    }

    @Test
    void equalityAndOrderIgnoreInsertionOrder() {
        Labels a = Labels.of("m", "x", "1", "y", "2");
        Labels b = Labels.of("m", "y", "2", "x", "1");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.compareTo(b)).isZero();
        assertThat(a.toString()).isEqualTo("m{x=\"1\",y=\"2\"}");
    }

    @Test
    void putReplacesAnEarlierValue() {
        Labels l = Labels.of("m", "zone", "a").toBuilder().put("zone", "b").build();
        assertThat(l.get("zone")).isEqualTo("b");
        assertThat(l.size()).isEqualTo(2);
    }

    @Test
    void escapesValuesInTextForm() {
        assertThat(Labels.of("m", "p", "a\"b\\c\nd").toString()).isEqualTo("m{p=\"a\\\"b\\\\c\\nd\"}");
    }

    @ParameterizedTest
    @CsvSource({"app.kubernetes.io/name, label_app_kubernetes_io_name", "team, label_team",
        "example.com/cost-center, label_example_com_cost_center"})
    void sanitisesKubernetesLabelKeys(String key, String expected) {
        assertThat(LabelNameSanitizer.labelKey(key)).isEqualTo(expected);
        assertThat(Labels.isValidLabelName(LabelNameSanitizer.labelKey(key))).isTrue();
    }

    @Test
    void staleMarkerHasPrometheusBitPattern() {
        Sample s = Sample.staleMarker(Labels.of("m"), 5);
        assertThat(s.isStaleMarker()).isTrue();
        assertThat(Double.doubleToRawLongBits(s.value())).isEqualTo(0x7ff0000000000002L);
        assertThat(new Sample(Labels.of("m"), Double.NaN, 5).isStaleMarker()).isFalse();
    }
}
