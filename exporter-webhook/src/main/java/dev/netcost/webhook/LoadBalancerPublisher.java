package dev.netcost.webhook;

import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the discovered load balancers into the one ConfigMap the node agents watch
 * ({@link LoadBalancerConfigMap} format): {@code get}, then {@code create} when it is missing or a full
 * {@code update} (carrying the read resourceVersion, so a concurrent writer makes it fail rather than be
 * overwritten) when the list changed. An unchanged list writes nothing, so nodes see no event.
 */
final class LoadBalancerPublisher {
    private static final Logger log = LoggerFactory.getLogger(LoadBalancerPublisher.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final Clock clock;

    LoadBalancerPublisher(KubernetesClient client, String namespace, String name, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.clock = clock;
    }

    String target() {
        return namespace + "/" + name;
    }

    /** Publishes {@code lbs}; true when the ConfigMap was created or changed. Throws on API errors. */
    boolean publish(List<LoadBalancer> lbs, String vpcId) {
        List<LoadBalancer> sorted = LoadBalancerConfigMap.sorted(lbs);
        ConfigMap current = client.configMaps().inNamespace(namespace).withName(name).get();
        if (current != null && same(current, sorted, vpcId)) {
            return false;
        }
        var data = LoadBalancerConfigMap.encode(new LoadBalancerConfigMap.Contents(clock.instant(), vpcId, sorted));
        if (current == null) {
            client.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                    .withName(name).withNamespace(namespace)
                    .addToLabels("app.kubernetes.io/managed-by", "netcost-webhook")
                    .endMetadata().withData(data).build()).create();
            log.info("created ConfigMap {} with {} load balancers", target(), sorted.size());
        } else {
            ConfigMap next = new ConfigMapBuilder(current).withData(data).build();
            client.configMaps().inNamespace(namespace).resource(next).update();
            log.info("updated ConfigMap {}: {} load balancers", target(), sorted.size());
        }
        return true;
    }

    private static boolean same(ConfigMap current, List<LoadBalancer> sorted, String vpcId) {
        try {
            LoadBalancerConfigMap.Contents c = LoadBalancerConfigMap.decode(current.getData());
            return c.vpcId().equals(vpcId) && LoadBalancerConfigMap.sorted(c.loadBalancers()).equals(sorted);
        } catch (IllegalArgumentException e) {
            return false; // another format or damaged: rewrite it
        }
    }
}
