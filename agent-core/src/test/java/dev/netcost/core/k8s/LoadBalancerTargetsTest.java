package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerTargetsTest {
    private static PodInfo pod(String namespace, Map<String, String> labels) {
        return new PodInfo(namespace, "p", "", List.of("10.0.0.1"), false, labels, "", "");
    }

    @Test
    void aTarget_matchesPodsOfItsNamespace_carryingEveryPairOfItsSelector() {
        LoadBalancer.Target web = new LoadBalancer.Target("shop", Map.of("app", "web", "tier", "front"));

        assertThat(web.matches(pod("shop", Map.of("app", "web", "tier", "front", "version", "2")))).isTrue();
        assertThat(web.matches(pod("shop", Map.of("app", "web")))).isFalse();
        assertThat(web.matches(pod("shop", Map.of("app", "web", "tier", "back")))).isFalse();
        assertThat(web.matches(pod("other", Map.of("app", "web", "tier", "front")))).isFalse();
        assertThat(new LoadBalancer.Target("shop", Map.of()).matches(pod("shop", Map.of()))).isTrue();
    }

    @Test
    void unknownTargets_includeEveryPod_whileKnownEmptyTargetsIncludeNone() {
        assertThat(LoadBalancer.Targets.UNKNOWN.includes(pod("any", Map.of()))).isTrue();
        assertThat(LoadBalancer.Targets.of(List.of()).includes(pod("any", Map.of()))).isFalse();
        assertThat(LoadBalancer.Targets.of(List.of())).isNotEqualTo(LoadBalancer.Targets.UNKNOWN);
        assertThatThrownBy(() -> new LoadBalancer.Targets(false, List.of(new LoadBalancer.Target("a", Map.of()))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void targets_includeAPod_matchedByAnyGroup() {
        LoadBalancer.Targets t = LoadBalancer.Targets.of(List.of(new LoadBalancer.Target("shop", Map.of("app", "web")),
                new LoadBalancer.Target("search", Map.of())));

        assertThat(t.includes(pod("search", Map.of("app", "x")))).isTrue();
        assertThat(t.includes(pod("shop", Map.of("app", "web")))).isTrue();
        assertThat(t.includes(pod("shop", Map.of("app", "api")))).isFalse();
    }

    @Test
    void targets_areKeptInCanonicalOrder_withoutDuplicates_whateverTheInputOrder() {
        LoadBalancer.Target a = new LoadBalancer.Target("a", Map.of("x", "1"));
        LoadBalancer.Target a2 = new LoadBalancer.Target("a", Map.of("x", "1", "y", "2"));
        LoadBalancer.Target b = new LoadBalancer.Target("b", Map.of());

        LoadBalancer.Targets one = LoadBalancer.Targets.of(List.of(b, a2, a, b));
        LoadBalancer.Targets two = LoadBalancer.Targets.of(List.of(a, b, a2));

        assertThat(one).isEqualTo(two);
        assertThat(one.selected()).containsExactly(a, a2, b);
        assertThat(one.selected().get(1).selector().keySet()).containsExactly("x", "y");
    }
}
