package dev.netcost.bench;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.KubernetesClusterMetadata;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.util.HashMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jol.info.GraphLayout;

/**
 * Heap of the whole metadata index per 10,000 remote (EndpointSlice) IPs, not only the classifier:
 * every node, slice and endpoint entry the index keeps, plus its read snapshot (classifier included).
 * Fed through fabric8's CRUD mock API server and the real informers; the retained size of the index's
 * own state is measured with JOL (the fabric8 client and informers are shared, fixed costs, not walked).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.netcost.bench.MetadataHeapMeasurement</pre>
 */
public final class MetadataHeapMeasurement {
    private static final String[] ZONES = {"us-east-2a", "us-east-2b", "us-east-2c"};
    private static final int PER_SLICE = 100;

    private MetadataHeapMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        // JOL needs this to read field offsets of records (the index's entries are records) on JDK 17.
        System.setProperty("jol.magicFieldOffset", "true");
        for (int ips : new int[] {10_000, 150_000}) {
            System.out.println(measure(ips));
        }
        System.exit(0);
    }

    static String measure(int ips) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = server.createClient()) {
            int nodes = Math.max(3, ips / 500);
            for (int n = 0; n < nodes; n++) {
                String ip = "10.0." + (n / 250) + "." + (n % 250 + 1);
                client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-" + n)
                        .addToLabels("topology.kubernetes.io/zone", ZONES[n % 3]).endMetadata()
                        .withNewSpec().withPodCIDR("10." + (64 + n / 256) + "." + (n % 256) + ".0/24").endSpec()
                        .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ip).endAddress()
                        .endStatus().build()).create();
            }
            int created = 0;
            for (int s = 0; created < ips; s++) {
                List<Endpoint> eps = new ArrayList<>(PER_SLICE);
                for (int i = 0; i < PER_SLICE && created < ips; i++, created++) {
                    eps.add(new EndpointBuilder().withAddresses("100." + (64 + created / 65536) + "."
                            + (created / 256 % 256) + "." + (created % 256)).withZone(ZONES[created % 3])
                            .withNodeName("node-" + (created % nodes)).withNewConditions().withReady(true)
                            .endConditions().build());
                }
                EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withNamespace("ns-" + (s % 50))
                        .withName("svc-" + s).endMetadata().withAddressType("IPv4").withEndpoints(eps).build();
                client.resources(EndpointSlice.class).inNamespace("ns-" + (s % 50)).resource(slice).create();
            }
            AgentConfig config = new ConfigLoader(Map.of("NODE_NAME", "node-0"), List.of()).loadString("zone: us-east-2a\n");
            try (KubernetesClusterMetadata md = KubernetesClusterMetadata.builder().client(client).config(config)
                    .rebuildDelay(Duration.ofMillis(50)).build()) {
                md.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (md.classifyIpv4(ipv4("100.64.0.1")) == null || md.generation() < 2
                        || countEndpoints(md) < ips) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("index did not fill: " + countEndpoints(md) + " of " + ips);
                    }
                    Thread.sleep(50); // polling a condition with a deadline
                }
                Thread.sleep(500); // let the last debounced rebuild land before measuring
                long bytes = GraphLayout.parseInstance(field(md, "nodes"), field(md, "slices"), field(md, "pods"),
                        field(md, "snapshot")).totalSize();
                return String.format("metadata index with %,d endpoint IPs on %,d nodes: %,d bytes = %.3f MiB"
                        + " (%.1f bytes per IP, %.3f MiB per 10,000 IPs)", ips, nodes, bytes, bytes / 1048576.0,
                        bytes / (double) ips, bytes / (double) ips * 10_000 / 1048576.0);
            }
        } finally {
            server.destroy();
        }
    }

    private static int countEndpoints(KubernetesClusterMetadata md) throws ReflectiveOperationException {
        Map<?, ?> slices = (Map<?, ?>) field(md, "slices");
        int n = 0;
        for (Object list : slices.values()) {
            n += ((List<?>) list).size();
        }
        return n;
    }

    private static Object field(Object o, String name) throws ReflectiveOperationException {
        Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static int ipv4(String ip) {
        String[] p = ip.split("\\.");
        return Integer.parseInt(p[0]) << 24 | Integer.parseInt(p[1]) << 16 | Integer.parseInt(p[2]) << 8
                | Integer.parseInt(p[3]);
    }
}
