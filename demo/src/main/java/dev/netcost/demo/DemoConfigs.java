package dev.netcost.demo;

import dev.netcost.demo.DemoCluster.Node;
import dev.netcost.demo.DemoCluster.Pod;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** The configuration files the demo writes for its Prometheus, node agents and webhook. */
final class DemoConfigs {
    /** Collection interval of the agents and the webhook; the rules are evaluated as often. */
    static final String INTERVAL = "2s";

    private DemoConfigs() {
    }

    static String prometheus(Path rules) {
        return """
                # Written by netcost demo: no scrape jobs (the agents push with remote write); netcost's cost rules.
                global:
                  evaluation_interval: %s
                rule_files:
                  - %s
                """.formatted(INTERVAL, rules.toAbsolutePath());
    }

    private static String common(String nodeName, Path dataDir, int prometheusPort, boolean debug) {
        return """
                nodeName: %s
                interval: %s
                dataDir: %s
                kubernetes: {enabled: false}
                externalLabels: {cluster: %s}
                debug: {enabled: %s, listen: "127.0.0.1:0"}
                remoteWrite:
                  - name: prometheus
                    url: http://127.0.0.1:%d/api/v1/write
                    queue: {batchDeadline: 500ms}
                %s
                """.formatted(nodeName, INTERVAL, dataDir, DemoCluster.NAME, debug, prometheusPort, loadBalancers());
    }

    /**
     * The ALB with its ENIs and its targets: the pods its Ingresses' backend Services select (namespace and
     * {@code app.kubernetes.io/name}, as the Services the demo admits), so the nodes count it for those
     * pods only (the cart pod, behind no load balancer, gets no ALB counter).
     */
    private static String loadBalancers() {
        DemoCluster.Alb alb = DemoCluster.ALB;
        return "loadBalancers:\n  - name: " + alb.name() + "\n    type: application\n    id: \"" + alb.id() + "\"\n"
                + "    addresses:\n" + alb.enis().stream()
                .map(e -> "      - {ip: " + e.ip() + ", zone: " + e.zone() + "}").collect(Collectors.joining("\n"))
                + "\n    targets:\n" + albTargets().stream()
                .map(p -> "      - {namespace: " + p.namespace() + ", selector: {app.kubernetes.io/name: " + p.app() + "}}")
                .distinct().collect(Collectors.joining("\n"));
    }

    /** The pods the plan's ALB flows send to. */
    static java.util.List<Pod> albTargets() {
        java.util.Set<String> ips = new java.util.HashSet<>();
        for (DemoPlan.Flow f : DemoPlan.FLOWS) {
            if (f.kind() == DemoPlan.Kind.ALB) {
                ips.addAll(f.job().targets());
            }
        }
        return DemoCluster.PODS.stream().filter(p -> ips.contains(p.ip())).toList();
    }

    /**
     * A node agent in standalone mode: its pods and the ALB declared here, the iptables exporter in the
     * node's network namespace, removing its nft table on exit; node facts for {@code netcost_node_info}.
     */
    static String node(Node n, Path netns, Path dataDir, int prometheusPort, String backend) {
        StringBuilder sb = new StringBuilder("# Written by netcost demo: the node agent of " + n.name() + "\n");
        sb.append(common(n.name(), dataDir, prometheusPort, true));
        sb.append("""
                zone: %s
                cadvisor: {enabled: false}
                classification:
                  zones: {%s: [%s], %s: [%s]}
                  vpc: [%s]
                iptables:
                  enabled: true
                  backend: %s
                  netns: %s
                  cleanupOnExit: true
                labels: {pod: [team]}
                aws: {enabled: false, region: %s, instanceId: %s, instanceType: %s, zoneId: %s}
                pods:
                """.formatted(n.zone(), DemoCluster.NODE_A.zone(), DemoCluster.NODE_A.zoneCidr(), DemoCluster.NODE_B.zone(),
                DemoCluster.NODE_B.zoneCidr(), DemoCluster.VPC_CIDR, backend, netns, DemoCluster.REGION, n.instanceId(),
                n.instanceType(), n.zoneId()));
        for (Pod p : DemoCluster.podsOn(n)) {
            sb.append("  - namespace: ").append(p.namespace()).append("\n    name: ").append(p.name())
                    .append("\n    ip: ").append(p.ip()).append("\n    workload: ").append(p.workload())
                    .append("\n    workloadKind: ").append(p.workloadKind()).append("\n    labels:\n");
            for (Map.Entry<String, String> l : new java.util.TreeMap<>(p.labels()).entrySet()) {
                sb.append("      ").append(l.getKey()).append(": ").append(l.getValue()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The webhook in standalone mode: admissions only, the price book (us-east-2 list prices), TLS from the
     * demo's CA; no debug endpoint (its port 0 could take the port picked for the webhook).
     */
    static String webhook(Path dataDir, int prometheusPort, int port, Path cert, Path key) {
        return "# Written by netcost demo: the admission webhook, standalone (no Kubernetes API)\n"
                + common("netcost-demo-webhook", dataDir, prometheusPort, false) + """
                aws: {region: %s}
                webhook:
                  listen: "127.0.0.1:%d"
                  tlsCertFile: %s
                  tlsKeyFile: %s
                pricing:
                  crossZonePerGb: %s
                  internetEgressPerGb: %s
                  natGateway: {perGb: %s, perHour: %s}
                  alb: {perHour: %s, perLcuHour: %s}
                """.formatted(DemoCluster.REGION, port, cert, key, DemoBill.CROSS_ZONE_PER_GB, DemoBill.INTERNET_EGRESS_PER_GB,
                DemoBill.NAT_PER_GB, DemoBill.NAT_PER_HOUR, DemoBill.ALB_PER_HOUR, DemoBill.ALB_PER_LCU_HOUR);
    }
}
