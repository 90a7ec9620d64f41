package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerConfigMapTest {
    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    private static final LoadBalancer ALB = new LoadBalancer("k8s-sharedalb-1a2b3c4d5e", LoadBalancerType.APPLICATION,
            "50dc6c495c0c9188", List.of(new LoadBalancer.Address("10.0.2.50", "us-east-2b"),
            new LoadBalancer.Address("10.0.1.50", "us-east-2a")));
    private static final LoadBalancer NLB = new LoadBalancer("k8s-default-web-0a1b2c3d4e", LoadBalancerType.NETWORK,
            "0a1b2c3d4e5f6a7b", List.of(new LoadBalancer.Address("2600:1f16::50", "us-east-2a")));

    @Test
    void roundTrip_keepsEveryField_inCanonicalOrder() {
        Map<String, String> data = LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(T, "vpc-1",
                List.of(ALB, NLB)));

        LoadBalancerConfigMap.Contents back = LoadBalancerConfigMap.decode(data);

        assertThat(data).containsEntry("format", "netcost.dev/load-balancers/v1").containsKey("load-balancers.json");
        assertThat(back.updated()).isEqualTo(T);
        assertThat(back.vpcId()).isEqualTo("vpc-1");
        assertThat(back.loadBalancers()).extracting(LoadBalancer::name)
                .containsExactly("k8s-default-web-0a1b2c3d4e", "k8s-sharedalb-1a2b3c4d5e");
        assertThat(back.loadBalancers().get(1)).isEqualTo(LoadBalancerConfigMap.sorted(List.of(ALB)).get(0));
        assertThat(back.loadBalancers().get(1).addresses()).extracting(LoadBalancer.Address::ip)
                .containsExactly("10.0.1.50", "10.0.2.50");
    }

    @Test
    void sameListInAnotherOrder_encodesToIdenticalBytes() {
        var a = LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(T, "", List.of(ALB, NLB)));
        var b = LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(T, "", List.of(NLB, ALB)));

        assertThat(a).isEqualTo(b);
    }

    @Test
    void anotherFormat_isRefused_namingWhatToDo() {
        Map<String, String> data = new HashMap<>(LoadBalancerConfigMap.encode(
                new LoadBalancerConfigMap.Contents(T, "", List.of(ALB))));
        data.put("format", "netcost.dev/load-balancers/v2");

        assertThatThrownBy(() -> LoadBalancerConfigMap.decode(data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v2").hasMessageContaining("same netcost version");
    }

    @Test
    void damagedEntries_areRefused() {
        assertThatThrownBy(() -> LoadBalancerConfigMap.decode(Map.of("format", LoadBalancerConfigMap.FORMAT,
                "load-balancers.json", "{\"updated\":\"2026-03-01T12:00:00Z\",\"loadBalancers\":[{\"name\":\"a\","
                        + "\"type\":\"application\",\"addresses\":[{\"ip\":\"not-an-ip\"}]}]}")))
                .hasMessageContaining("not-an-ip");
        assertThatThrownBy(() -> LoadBalancerConfigMap.decode(Map.of("format", LoadBalancerConfigMap.FORMAT,
                "load-balancers.json", "{\"updated\":\"2026-03-01T12:00:00Z\",\"loadBalancers\":[{\"name\":\"a\","
                        + "\"type\":\"gateway\",\"addresses\":[{\"ip\":\"10.0.0.1\"}]}]}")))
                .hasMessageContaining("type");
        assertThatThrownBy(() -> LoadBalancerConfigMap.decode(Map.of("format", LoadBalancerConfigMap.FORMAT,
                "load-balancers.json", "[1,")))
                .hasMessageContaining("not JSON");
        assertThatThrownBy(() -> LoadBalancerConfigMap.decode(null)).hasMessageContaining("no data");
    }

    @Test
    void targets_roundTrip_andAbsentTargetsStayUnknown_whileKnownEmptyTargetsStayKnown() {
        LoadBalancer scoped = ALB.withTargets(LoadBalancer.Targets.of(List.of(
                new LoadBalancer.Target("shop", Map.of("tier", "front", "app", "web")),
                new LoadBalancer.Target("search", Map.of()))));
        LoadBalancer none = NLB.withTargets(LoadBalancer.Targets.of(List.of()));

        Map<String, String> data = LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(T, "", List.of(scoped, none)));
        List<LoadBalancer> back = LoadBalancerConfigMap.decode(data).loadBalancers();
        List<LoadBalancer> unknown = LoadBalancerConfigMap.decode(LoadBalancerConfigMap.encode(
                new LoadBalancerConfigMap.Contents(T, "", List.of(ALB)))).loadBalancers();

        assertThat(back).containsExactlyElementsOf(LoadBalancerConfigMap.sorted(List.of(none, scoped)));
        assertThat(back.get(0).targets().known()).isTrue();
        assertThat(back.get(0).targets().selected()).isEmpty();
        assertThat(data.get("load-balancers.json")).contains("\"targets\":[{\"namespace\":\"search\",\"selector\":{}},"
                + "{\"namespace\":\"shop\",\"selector\":{\"app\":\"web\",\"tier\":\"front\"}}]");
        assertThat(unknown.get(0).targets()).isEqualTo(LoadBalancer.Targets.UNKNOWN);
        assertThat(LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(T, "", List.of(ALB))).get("load-balancers.json"))
                .doesNotContain("targets");
    }

    @Test
    void damagedTargets_areRefused() {
        for (String targets : List.of("{}", "[{\"selector\":{}}]", "[{\"namespace\":\"a\",\"selector\":[]}]",
                "[{\"namespace\":\"a\",\"selector\":{\"app\":1}}]")) {
            assertThatThrownBy(() -> LoadBalancerConfigMap.decode(Map.of("format", LoadBalancerConfigMap.FORMAT,
                    "load-balancers.json", "{\"updated\":\"2026-03-01T12:00:00Z\",\"loadBalancers\":[{\"name\":\"a\","
                            + "\"type\":\"application\",\"addresses\":[{\"ip\":\"10.0.0.1\"}],\"targets\":" + targets + "}]}")))
                    .as(targets).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("load balancer 'a'");
        }
    }
}
