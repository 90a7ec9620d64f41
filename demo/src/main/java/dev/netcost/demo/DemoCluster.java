package dev.netcost.demo;

import java.util.List;
import java.util.Map;

/**
 * The demo's cluster: two EKS-like nodes in two zones of us-east-2, the 2048 game (the AWS Load
 * Balancer Controller's example) and a shop, one ALB shared by both teams' Ingresses through
 * {@code alb.ingress.kubernetes.io/group.name: shared-alb}, a NAT gateway and an "internet" host. All
 * addresses are private (the VPC is 10.0.0.0/16) or documentation addresses (198.51.100.0/24,
 * 203.0.113.0/24), and exist only inside the demo's network namespaces. Ids and names look like AWS's
 * so that the demo bill reads like a real one; nothing ever contacts AWS.
 */
final class DemoCluster {
    static final String NAME = "netcost-demo";
    static final String REGION = "us-east-2";
    static final String ACCOUNT = "123456789012";
    static final String VPC_CIDR = "10.0.0.0/16";
    static final String INTERNET_HOST = "203.0.113.10";

    /** A worker node: an EC2 instance in one zone, its pods routed through it. */
    record Node(String role, String name, String zone, String zoneId, String instanceId, String instanceType,
                String ip, String vpcGateway, String podSubnet, String zoneCidr) {
    }

    /** A pod: a network namespace behind its node, serving HTTP on port 80. */
    record Pod(String role, String namespace, String name, String workload, String workloadKind, String team,
               String app, String ip, Node node) {
        Map<String, String> labels() {
            return Map.of("team", team, "app.kubernetes.io/name", app);
        }
    }

    /** One ENI of the load balancer: its private address and zone. */
    record Eni(String ip, String zone) {
    }

    /** The shared ALB. */
    record Alb(String name, String id, String group, String dnsName, List<Eni> enis) {
        String arn() {
            return "arn:aws:elasticloadbalancing:" + REGION + ":" + ACCOUNT + ":loadbalancer/app/" + name + "/" + id;
        }
    }

    /** The NAT gateway every pod of zone a reaches the internet through. */
    record Nat(String id, String zone, String privateIp, String publicIp) {
        String arn() {
            return "arn:aws:ec2:" + REGION + ":" + ACCOUNT + ":natgateway/" + id;
        }
    }

    static final Node NODE_A = new Node("node-a", "ip-10-0-1-10.us-east-2.compute.internal", "us-east-2a", "use2-az1",
            "i-0a1b2c3d4e5f60718", "m6i.large", "10.0.1.10", "10.0.1.1", "10.0.2.0/24", "10.0.0.0/19");
    static final Node NODE_B = new Node("node-b", "ip-10-0-33-10.us-east-2.compute.internal", "us-east-2b", "use2-az2",
            "i-0f9e8d7c6b5a40312", "m6i.large", "10.0.33.10", "10.0.33.1", "10.0.34.0/24", "10.0.32.0/19");
    static final List<Node> NODES = List.of(NODE_A, NODE_B);

    static final Pod GAME_A = new Pod("game-a", "game-2048", "deployment-2048-6c8d9b7f54-4hq9x", "deployment-2048",
            "Deployment", "games", "app-2048", "10.0.2.21", NODE_A);
    static final Pod GAME_B = new Pod("game-b", "game-2048", "deployment-2048-6c8d9b7f54-9tzkp", "deployment-2048",
            "Deployment", "games", "app-2048", "10.0.34.21", NODE_B);
    static final Pod STOREFRONT = new Pod("store", "shop", "storefront-7f9c8d6b5-2mxkq", "storefront", "Deployment",
            "shop", "storefront", "10.0.2.22", NODE_A);
    static final Pod CART = new Pod("cart", "shop", "cart-0", "cart", "StatefulSet", "shop", "cart", "10.0.34.22", NODE_B);
    static final List<Pod> PODS = List.of(GAME_A, GAME_B, STOREFRONT, CART);

    static final Alb ALB = new Alb("k8s-sharedalb-6e1f7c2a9b", "50dc6c495c0c9188", "shared-alb",
            "k8s-sharedalb-6e1f7c2a9b-1234567890.us-east-2.elb.amazonaws.com",
            List.of(new Eni("10.0.3.50", NODE_A.zone()), new Eni("10.0.35.50", NODE_B.zone())));
    static final Nat NAT = new Nat("nat-0c1d2e3f4a5b6c7d8", NODE_A.zone(), "10.0.6.2", "198.51.100.1");

    private DemoCluster() {
    }

    static List<Pod> podsOn(Node node) {
        return PODS.stream().filter(p -> p.node().equals(node)).toList();
    }

    static List<String> teams() {
        return PODS.stream().map(Pod::team).distinct().toList();
    }
}
