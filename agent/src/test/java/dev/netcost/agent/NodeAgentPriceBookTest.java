package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which node agent emits the price book: a standalone one with a pricing: section, never a DaemonSet's. */
class NodeAgentPriceBookTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "standalone with a pricing section      | kubernetes: {enabled: false}\\npricing: {}                | true",
            "standalone with prices                 | kubernetes: {enabled: false}\\npricing: {crossZonePerGb: 0.02} | true",
            "standalone without a pricing section   | kubernetes: {enabled: false}                            | false",
            "standalone, pricing turned off         | kubernetes: {enabled: false}\\npricing: {enabled: false}  | false",
            "in a cluster, even with a section      | kubernetes: {enabled: true}\\npricing: {}                 | false"})
    void emitsThePriceBook_onlyWhenItIsTheOnlyEmitter(String name, String yaml, boolean emits) {
        AgentConfig c = new ConfigLoader(Map.of("NODE_NAME", "n"), List.of()).loadString(yaml.replace("\\n", "\n"));
        assertThat(NodeAgent.emitsPriceBook(c)).isEqualTo(emits);
    }
}
