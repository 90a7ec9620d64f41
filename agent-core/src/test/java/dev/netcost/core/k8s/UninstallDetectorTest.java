package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode: what the API shows during an uninstall versus a restart. */
class UninstallDetectorTest {
    private static final String NS = "netcost-system";
    private static final String POD = "netcost-node-x7k2p";
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        // No retries: the unreachable-API case should answer at once.
        client = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(
                server.createClient().getConfiguration()).withRequestRetryBackoffLimit(0).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            System.err.println("mock API server did not close in time: " + e);
        }
    }

    private DaemonSet daemonSet() {
        return client.apps().daemonSets().inNamespace(NS).resource(new DaemonSetBuilder().withNewMetadata()
                .withName("netcost-node").withNamespace(NS).endMetadata().withNewSpec().withNewSelector()
                .addToMatchLabels("app", "netcost").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "netcost").endMetadata().withNewSpec().addNewContainer().withName("agent")
                .withImage("netcost").endContainer().endSpec().endTemplate().endSpec().build()).create();
    }

    private void pod(DaemonSet owner) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata();
        if (owner != null) {
            b.editMetadata().addNewOwnerReference().withApiVersion("apps/v1").withKind("DaemonSet")
                    .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true)
                    .endOwnerReference().endMetadata();
        }
        Pod p = b.build();
        client.pods().inNamespace(NS).resource(p).create();
    }

    private boolean removed() {
        return new UninstallDetector(client, NS, POD).ownerDaemonSetRemoved();
    }

    @Test
    void daemonSetStillThere_isARestartOrUpgrade() {
        pod(daemonSet());
        assertThat(removed()).isFalse();
    }

    @Test
    void daemonSetDeleted_isAnUninstall() {
        DaemonSet ds = daemonSet();
        pod(ds);
        client.apps().daemonSets().inNamespace(NS).withName("netcost-node").delete();
        assertThat(removed()).isTrue();
    }

    @Test
    void daemonSetBeingDeletedInTheForeground_isAnUninstall() {
        DaemonSet ds = daemonSet();
        pod(ds);
        // Foreground deletion: the API server sets deletionTimestamp and keeps the object while its
        // foregroundDeletion finalizer waits for the pods to go.
        client.apps().daemonSets().inNamespace(NS).withName("netcost-node").edit(d -> {
            d.getMetadata().getFinalizers().add("foregroundDeletion");
            return d;
        });
        client.apps().daemonSets().inNamespace(NS).withName("netcost-node").delete();
        assertThat(client.apps().daemonSets().inNamespace(NS).withName("netcost-node").get().getMetadata()
                .getDeletionTimestamp()).isNotNull();
        assertThat(removed()).isTrue();
    }

    @Test
    void aNewDaemonSetOfTheSameName_isNotAnUninstall_itsPodMayAlreadyUseTheRules() {
        DaemonSet old = daemonSet();
        pod(old);
        client.apps().daemonSets().inNamespace(NS).withName("netcost-node").delete();
        DaemonSet replacement = daemonSet();
        assertThat(replacement.getMetadata().getUid()).isNotEqualTo(old.getMetadata().getUid());
        assertThat(removed()).isFalse();
    }

    @Test
    void unknownPodOrNoOwner_orNoApi_keepsTheRules() {
        assertThat(removed()).as("own pod not found").isFalse();
        pod(null);
        assertThat(removed()).as("no owning DaemonSet").isFalse();
        server.destroy();
        assertThat(removed()).as("API unreachable").isFalse();
    }

    @Test
    void metadata_asksOnlyWhenItKnowsItsOwnPod() {
        DaemonSet ds = daemonSet();
        pod(ds);
        client.apps().daemonSets().inNamespace(NS).withName("netcost-node").delete();
        AgentConfig known = new ConfigLoader(Map.of("NODE_NAME", "node-a", "POD_NAME", POD, "POD_NAMESPACE", NS), List.of())
                .loadString("");
        AgentConfig unknown = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("");
        try (KubernetesClusterMetadata m = KubernetesClusterMetadata.builder().client(client).config(known).build();
             KubernetesClusterMetadata n = KubernetesClusterMetadata.builder().client(client).config(unknown).build()) {
            assertThat(m.agentRemovedFromNode()).isTrue();
            assertThat(n.agentRemovedFromNode()).isFalse();
        }
    }
}
