package dev.netcost.demo;

import dev.netcost.demo.DemoCluster.Node;
import dev.netcost.demo.DemoCluster.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The demo's cluster as network namespaces, named {@code ncd<pid>-<role>} so that two runs never
 * collide, and all deleted by {@link #close()}. Nothing is changed in the host's namespace: every link,
 * address, route and the NAT gateway's masquerade rule live inside the demo's namespaces (and die with
 * them).
 * <pre>
 *            pods (a /32 each, routed by their node, proxy ARP)
 *   game-a 10.0.2.21  store 10.0.2.22        game-b 10.0.34.21  cart 10.0.34.22
 *            \            /                            \           /
 *   node-a 10.0.1.10 (us-east-2a)              node-b 10.0.33.10 (us-east-2b)
 *                  \                                      /
 *                   +------------- vpc (router) ---------+
 *                   |                                     |
 *   alb: ENIs 10.0.3.50 (2a), 10.0.35.50 (2b)     nat 10.0.6.2 (2a), masquerades to 198.51.100.1
 *                                                         |
 *                                                  inet: 203.0.113.10
 * </pre>
 * Links inside the VPC use AWS's jumbo MTU, 9001; the internet link 1500.
 */
final class DemoNetwork implements AutoCloseable {
    static final String PREFIX_BASE = "ncd";
    private static final String VPC_MTU = "9001";

    private final String prefix;
    private final List<String> created = new ArrayList<>();

    DemoNetwork(long pid) {
        this.prefix = PREFIX_BASE + pid + "-";
    }

    String prefix() {
        return prefix;
    }

    /** The namespace's name. */
    String name(String role) {
        return prefix + role;
    }

    /** The namespace's file, for {@code iptables.netns}. */
    Path path(String role) {
        return Path.of("/run/netns", name(role));
    }

    /** {@code ip netns exec <ns> argv...}. */
    List<String> in(String role, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name(role)));
        cmd.addAll(Arrays.asList(argv));
        return cmd;
    }

    private void exec(String role, String... argv) {
        ChildProcesses.run(in(role, argv));
    }

    /** Builds every namespace, link, address and route; returns the number of namespaces. */
    int build() {
        List<String> roles = new ArrayList<>(List.of("vpc", "alb", "nat", "inet"));
        DemoCluster.NODES.forEach(n -> roles.add(n.role()));
        DemoCluster.PODS.forEach(p -> roles.add(p.role()));
        for (String r : roles) {
            ChildProcesses.run(List.of("ip", "netns", "add", name(r)));
            created.add(r);
            exec(r, "ip", "link", "set", "lo", "up");
            // Routers forward; reverse-path filtering off, as between AWS's subnets.
            exec(r, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0");
        }
        for (Node n : DemoCluster.NODES) {
            String vpcIf = "to-" + n.role();
            link("vpc", vpcIf, n.role(), "eth0", VPC_MTU);
            exec("vpc", "ip", "addr", "add", n.vpcGateway() + "/24", "dev", vpcIf);
            exec(n.role(), "ip", "addr", "add", n.ip() + "/24", "dev", "eth0");
            exec(n.role(), "ip", "route", "add", "default", "via", n.vpcGateway());
            exec("vpc", "ip", "route", "add", n.podSubnet(), "via", n.ip());
            for (Pod p : DemoCluster.podsOn(n)) {
                String nodeIf = "v-" + p.role();
                link(n.role(), nodeIf, p.role(), "eth0", VPC_MTU);
                exec(n.role(), "sysctl", "-q", "-w", "net.ipv4.conf." + nodeIf + ".proxy_arp=1");
                exec(n.role(), "ip", "route", "add", p.ip() + "/32", "dev", nodeIf);
                exec(p.role(), "ip", "addr", "add", p.ip() + "/32", "dev", "eth0");
                exec(p.role(), "ip", "route", "add", "default", "dev", "eth0");
            }
        }
        // The ALB: its ENI addresses on the namespace's loopback, routed to it by the VPC.
        link("vpc", "to-alb", "alb", "eth0", VPC_MTU);
        exec("vpc", "ip", "addr", "add", "10.0.5.1/30", "dev", "to-alb");
        exec("alb", "ip", "addr", "add", "10.0.5.2/30", "dev", "eth0");
        exec("alb", "ip", "route", "add", "default", "via", "10.0.5.1");
        for (DemoCluster.Eni e : DemoCluster.ALB.enis()) {
            exec("alb", "ip", "addr", "add", e.ip() + "/32", "dev", "lo");
            exec("vpc", "ip", "route", "add", e.ip() + "/32", "via", "10.0.5.2");
        }
        // The NAT gateway: the VPC's default route; it masquerades what leaves for the internet.
        link("vpc", "to-nat", "nat", "eth0", VPC_MTU);
        exec("vpc", "ip", "addr", "add", "10.0.6.1/30", "dev", "to-nat");
        exec("nat", "ip", "addr", "add", DemoCluster.NAT.privateIp() + "/30", "dev", "eth0");
        exec("vpc", "ip", "route", "add", "default", "via", DemoCluster.NAT.privateIp());
        exec("nat", "ip", "route", "add", DemoCluster.VPC_CIDR, "via", "10.0.6.1");
        link("nat", "pub", "inet", "eth0", "1500");
        exec("nat", "ip", "addr", "add", DemoCluster.NAT.publicIp() + "/30", "dev", "pub");
        exec("inet", "ip", "addr", "add", "198.51.100.2/30", "dev", "eth0");
        exec("nat", "ip", "route", "add", "default", "via", "198.51.100.2");
        exec("inet", "ip", "addr", "add", DemoCluster.INTERNET_HOST + "/32", "dev", "lo");
        ChildProcesses.run(List.of("ip", "netns", "exec", name("nat"), "nft", "-f", "-"), """
                table ip netcost_demo_nat {
                  chain postrouting {
                    type nat hook postrouting priority srcnat; policy accept;
                    oifname "pub" masquerade
                  }
                }
                """);
        return roles.size();
    }

    /** A veth pair from {@code a}'s {@code ifA} to {@code b}'s {@code ifB}, both up. */
    private void link(String a, String ifA, String b, String ifB, String mtu) {
        ChildProcesses.run(List.of("ip", "link", "add", ifA, "netns", name(a), "mtu", mtu, "type", "veth", "peer", "name",
                ifB, "netns", name(b), "mtu", mtu));
        exec(a, "ip", "link", "set", ifA, "up");
        exec(b, "ip", "link", "set", ifB, "up");
    }

    /** Deletes every namespace this run created (their links, addresses and rules go with them). */
    @Override
    public synchronized void close() {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                ChildProcesses.run(List.of("ip", "netns", "del", name(created.get(i))));
            } catch (DemoException e) {
                System.err.println("demo: could not delete network namespace " + name(created.get(i)) + ": " + e.getMessage());
            }
        }
        created.clear();
    }

    /** The namespaces whose name starts with {@code prefix} (the check that none is left). */
    static List<String> existing(String prefix) {
        List<String> out = new ArrayList<>();
        for (String line : ChildProcesses.run(List.of("ip", "netns", "list")).split("\n")) {
            String name = line.strip().split(" ")[0];
            if (name.startsWith(prefix)) {
                out.add(name);
            }
        }
        return out;
    }
}
