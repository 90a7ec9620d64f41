package dev.netcost.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agents' configuration (the agent jar that reads it validates it when the demo runs). */
class DemoConfigsTest {
    @Test
    void theAlbTargets_thePodsOfItsIngressesServices_theGamePodsAndTheStorefront_notTheCart() {
        String node = DemoConfigs.node(DemoCluster.NODE_A, Path.of("/run/netns/x"), Path.of("/tmp/x"), 9090, "nft");

        assertThat(DemoConfigs.albTargets()).containsExactlyInAnyOrder(DemoCluster.GAME_A, DemoCluster.GAME_B,
                DemoCluster.STOREFRONT);
        assertThat(node).contains("""
                    targets:
                      - {namespace: game-2048, selector: {app.kubernetes.io/name: app-2048}}
                      - {namespace: shop, selector: {app.kubernetes.io/name: storefront}}
                """);
    }
}
