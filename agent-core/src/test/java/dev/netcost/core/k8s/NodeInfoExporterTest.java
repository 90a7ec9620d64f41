package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeInfoExporterTest {
    private static List<String> collect(ClusterMetadata metadata) {
        List<String> out = new ArrayList<>();
        new NodeInfoExporter(metadata).collect((labels, value, ts) -> out.add(labels + " " + value));
        return out;
    }

    @Test
    void standalone_takesTheStaticAwsKeys_forTheDemoBillJoin() {
        AgentConfig c = new ConfigLoader(Map.of("NODE_NAME", "demo-node-a"), List.of()).loadString("""
                kubernetes: {enabled: false}
                zone: us-east-2a
                aws:
                  region: us-east-2
                  zoneId: use2-az1
                  instanceId: i-0demo000000000001
                  instanceType: m6i.large
                """);

        assertThat(collect(new StaticClusterMetadata(c))).containsExactly("netcost_node_info{instance_id="
                + "\"i-0demo000000000001\",instance_type=\"m6i.large\",node=\"demo-node-a\",region=\"us-east-2\","
                + "zone=\"us-east-2a\",zone_id=\"use2-az1\"} 1.0");
    }

    @Test
    void unknownFields_areLeftOut() {
        AgentConfig c = new ConfigLoader(Map.of("NODE_NAME", "n1"), List.of()).loadString("kubernetes: {enabled: false}");

        assertThat(collect(new StaticClusterMetadata(c))).containsExactly("netcost_node_info{node=\"n1\"} 1.0");
    }
}
