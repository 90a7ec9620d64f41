package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticClusterMetadataTest {
    private static final AgentConfig CONFIG = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
            zone: us-east-2a
            kubernetes: {enabled: false}
            pods:
              - {namespace: shop, name: web-0, ip: 172.20.0.7, workload: web, workloadKind: StatefulSet, labels: {app: web}}
              - {namespace: shop, name: api-1, ip: "fd00::7"}
            classification:
              zones:
                us-east-2a: [10.0.0.0/19]
                us-east-2b: [10.0.32.0/19]
              vpc: [10.0.0.0/16]
            """);

    @Test
    void classifiesWithTheConfiguredZonesAndVpc_andTheStaticPodsAreSameZone() {
        try (StaticClusterMetadata m = new StaticClusterMetadata(CONFIG)) {
            m.start();
            assertThat(m.hasSynced()).isTrue();
            assertThat(m.nodeZone()).isEqualTo("us-east-2a");
            assertThat(m.classifyIpv4(ip4("10.0.1.1"))).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(m.classifyIpv4(ip4("10.0.33.1"))).isEqualTo(TrafficClass.CROSS_ZONE);
            assertThat(m.classifyIpv4(ip4("10.0.99.1"))).isEqualTo(TrafficClass.IN_VPC);
            assertThat(m.classifyIpv4(ip4("172.20.0.7"))).isEqualTo(TrafficClass.SAME_ZONE); // outside the VPC
            assertThat(m.classifyIpv4(ip4("172.20.0.8"))).isEqualTo(TrafficClass.INTERNET);
            assertThat(m.classifyIpv6(0xfd00_0000_0000_0000L, 7)).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(m.classificationSets().crossZone()).containsExactly(Cidr.parse("10.0.32.0/19"));
        }
    }

    @Test
    void servesTheStaticPods() {
        try (StaticClusterMetadata m = new StaticClusterMetadata(CONFIG)) {
            assertThat(m.localPods()).extracting(PodInfo::name).containsExactly("web-0", "api-1");
            assertThat(m.localPodByIp("172.20.0.7").workload()).isEqualTo("web");
            assertThat(m.localPod("shop", "api-1").workloadKind()).isEqualTo("Pod");
            assertThat(m.localPod("shop", "nope")).isNull();
        }
    }

    @Test
    void configuredLoadBalancerAddresses_classifyAsLoadBalancer() {
        AgentConfig config = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
                zone: us-east-2a
                kubernetes: {enabled: false}
                classification:
                  zones: {us-east-2a: [10.0.0.0/19]}
                loadBalancers:
                  - name: k8s-sharedalb-1a2b3c4d5e
                    addresses: [{ip: 10.0.1.50, zone: us-east-2a}, {ip: 10.0.33.50, zone: us-east-2b}]
                """);
        try (StaticClusterMetadata m = new StaticClusterMetadata(config)) {
            assertThat(m.classifyIpv4(ip4("10.0.1.50"))).isEqualTo(TrafficClass.LOAD_BALANCER);
            assertThat(m.classifyIpv4(ip4("10.0.33.50"))).isEqualTo(TrafficClass.LOAD_BALANCER);
            assertThat(m.classifyIpv4(ip4("10.0.1.51"))).isEqualTo(TrafficClass.SAME_ZONE);
            assertThat(m.classificationSets().loadBalancer()).containsExactly(Cidr.parse("10.0.1.50/32"),
                    Cidr.parse("10.0.33.50/32"));
        }
    }

    private static int ip4(String ip) {
        return TrafficClassifier.toInt(TrafficClassifier.literal(ip));
    }
}
