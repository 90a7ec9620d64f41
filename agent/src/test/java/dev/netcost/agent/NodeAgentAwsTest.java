package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.testing.Ec2QueryServer;
import dev.netcost.core.testing.ImdsServer;
import dev.netcost.core.testing.StsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent wired with {@code aws.enabled}, standalone: every AWS endpoint is a local server, the
 * credentials come from the (local) instance profile, and {@code netcost_node_info} picks up what IMDS says.
 */
class NodeAgentAwsTest {
    @TempDir
    Path tmp;

    @Test
    void awsEnabled_learnsNodeFactsFromImds_inTheBackground_andExportsThem() throws Exception {
        try (ImdsServer imds = new ImdsServer().instance("i-0imds00000000001", "us-east-2b", "use2-az2", "vpc-0abc1234",
                "10.0.0.0/16", "10.0.32.0/19").instanceProfile("eks-node-role", "ASIANODEAGENTTEST001");
             Ec2QueryServer ec2 = new Ec2QueryServer();
             StsServer sts = new StsServer()) {
            ec2.subnets(List.of(new Ec2QueryServer.Subnet("subnet-a", "vpc-0abc1234", "us-east-2a", "10.0.0.0/19", null)));
            Path samples = tmp.resolve("samples.prom");
            AgentConfig config = new ConfigLoader(Map.of(), List.of()).loadString("""
                    nodeName: n1
                    interval: 1s
                    exporterTimeout: 1s
                    kubernetes: {enabled: false}
                    debug: {enabled: false}
                    localFile: {path: %s}
                    aws:
                      enabled: true
                      imdsEndpoint: %s
                      ec2Endpoint: %s
                      stsEndpoint: %s
                      timeout: 5s
                    """.formatted(samples, imds.endpoint(), ec2.endpoint(), sts.endpoint()));
            NodeAgent agent = new NodeAgent(config, List.of(), Clock.systemUTC());
            try {
                agent.start(true);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.exists(samples)
                        ? Files.readString(samples) : "").contains("netcost_node_info{instance_id=\"i-0imds00000000001\","
                        + "instance_type=\"m6i.large\",job=\"netcost\",node=\"n1\",region=\"us-east-2\",zone=\"us-east-2b\","
                        + "zone_id=\"use2-az2\"} 1 "));
                assertThat(ec2.requests("DescribeSubnets")).isNotEmpty().allSatisfy(r ->
                        assertThat(r.authorization()).contains("Credential=ASIANODEAGENTTEST001/"));
            } finally {
                agent.stop(Duration.ofSeconds(5));
            }
        }
    }
}
