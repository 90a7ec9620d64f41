package dev.netcost.bench;

import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.StaticClusterMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A network namespace for the iptables benchmarks (they run as root), deleted on close and from a
 * shutdown hook; plus the pods and class sets they load. Nothing touches the host namespace.
 */
final class IptablesBenchNamespace implements AutoCloseable {
    static final int PODS = 250;

    private final String name;
    private final Thread hook;

    IptablesBenchNamespace(String role) throws IOException, InterruptedException {
        this.name = "ncbench-" + ProcessHandle.current().pid() + "-" + role;
        run("ip", "netns", "add", name);
        this.hook = new Thread(this::delete, "netns-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Path path() {
        return Path.of("/run/netns", name);
    }

    /** {@code count} pods from {@code firstIndex}, IPs 10.10.x.y (up to 200 per /24). */
    static List<PodInfo> pods(int count, int firstIndex) {
        List<PodInfo> out = new ArrayList<>();
        for (int i = firstIndex; i < firstIndex + count; i++) {
            String ip = "10.10." + (i / 200) + "." + (i % 200 + 1);
            out.add(new PodInfo("team-" + (i % 17), "checkout-7d9f8b6c5-" + Integer.toString(100_000 + i * 7919, 36), "",
                    List.of(ip), false, Map.of(), "checkout-" + (i % 23), "Deployment"));
        }
        return out;
    }

    /**
     * Class sets with {@code classes - 1} CIDRs over same zone, cross zone and VPC in turn (4: one
     * each, so every class is used; internet is the catch-all).
     */
    static ClassificationSets sets(int classes) {
        int n = classes - 1;
        List<Cidr> same = new ArrayList<>();
        List<Cidr> cross = new ArrayList<>();
        List<Cidr> vpc = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Cidr> into = i % 3 == 0 ? same : i % 3 == 1 ? cross : vpc;
            int base = i % 3 == 0 ? 10 : i % 3 == 1 ? 20 : 30;
            into.add(Cidr.parse("10." + (base + i / 3) + ".0.0/16"));
        }
        return new ClassificationSets(same, cross, vpc);
    }

    /** Metadata knowing the pods (standalone, as with kubernetes.enabled=false). */
    static ClusterMetadata metadata(List<PodInfo> pods) {
        StringBuilder yaml = new StringBuilder("nodeName: node-1\nzone: zone-a\nkubernetes:\n  enabled: false\npods:\n");
        for (PodInfo p : pods) {
            yaml.append("  - {namespace: ").append(p.namespace()).append(", name: ").append(p.name())
                    .append(", ip: ").append(p.ips().get(0)).append(", workload: ").append(p.workload())
                    .append(", workloadKind: ").append(p.workloadKind()).append("}\n");
        }
        return new StaticClusterMetadata(new ConfigLoader(Map.of(), List.of()).loadString(yaml.toString()));
    }

    private void delete() {
        try {
            run("ip", "netns", "del", name);
        } catch (IOException | InterruptedException e) {
            System.err.println("could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        Runtime.getRuntime().removeShutdownHook(hook);
        delete();
    }

    private static void run(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed");
        }
    }
}
