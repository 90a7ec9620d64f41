package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small cluster in network namespaces, TEST-NET and private addresses only:
 * <pre>
 *   podA 10.10.1.2 ─┐                    ┌─ zone     10.20.1.5   (a pod in another zone)      10.255.1.0/30
 *   podB 10.10.1.3 ─┤ node (routes,      ├─ vpc      10.0.5.5    (a VPC host, no known zone)  10.255.2.0/30
 *   podC 10.10.1.4 ─┘  DNAT, masquerade) └─ internet 203.0.113.10 (no route back: masquerade) 198.51.100.0/30
 * </pre>
 * Pods are routed like Calico: a /32 on eth0, a default route on the link, proxy ARP on the node
 * side, so pod-to-pod traffic crosses the node's IP stack. In the node, a ClusterIP-style DNAT sends
 * 10.96.0.10:80 to zone's 10.20.1.5:5002, and traffic to the internet link is masqueraded, both with
 * the iptables family under test.
 *
 * <p>With IPv6 (dual-stack), ULA and documentation addresses only, no NAT, every address {@code nodad}:
 * <pre>
 *   podA fd00:10:1::2 (link fd00:10:1::/64) ─┐        ┌─ zone     fd00:20:1::5     (link fd00:ff:1::/64)
 *   podB fd00:10:2::2 (link fd00:10:2::/64) ─┤ node   └─ internet 2001:db8:1::10   (link 2001:db8:ff::/64)
 *   podC fd00:10:3::2 (link fd00:10:3::/64) ─┘ (net.ipv6.conf.all.forwarding=1)
 * </pre>
 */
final class NodeTopology implements AutoCloseable {
    static final String POD_A = "10.10.1.2";
    static final String POD_B = "10.10.1.3";
    static final String POD_C = "10.10.1.4";
    static final String ZONE = "10.20.1.5";
    static final String VPC = "10.0.5.5";
    static final String INTERNET = "203.0.113.10";
    static final String CLUSTER_IP = "10.96.0.10";
    static final String POD_A6 = "fd00:10:1::2";
    static final String POD_B6 = "fd00:10:2::2";
    static final String POD_C6 = "fd00:10:3::2";
    static final String ZONE6 = "fd00:20:1::5";
    static final String INTERNET6 = "2001:db8:1::10";

    final Netns node;
    final Netns podA;
    final Netns podB;
    final Netns podC;
    final Netns zone;
    final Netns vpc;
    final Netns internet;
    private final List<Netns> all = new ArrayList<>();

    NodeTopology(IptablesFamily family) {
        this(family, false);
    }

    NodeTopology(IptablesFamily family, boolean ipv6) {
        boolean ok = false;
        try {
            node = add(Netns.create("node"));
            podA = add(Netns.create("podA"));
            podB = add(Netns.create("podB"));
            podC = add(Netns.create("podC"));
            zone = add(Netns.create("zone"));
            vpc = add(Netns.create("vpc"));
            internet = add(Netns.create("inet"));
            node.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0",
                    "net.ipv4.conf.default.rp_filter=0");
            pod(podA, "pa", POD_A);
            pod(podB, "pb", POD_B);
            pod(podC, "pc", POD_C);
            remote(zone, "zn", "10.255.1", ZONE, "10.20.0.0/16");
            remote(vpc, "vp", "10.255.2", VPC, "10.0.0.0/16");
            Netns.veth(node, "in", internet, "eth0");
            node.exec("ip", "addr", "add", "198.51.100.1/30", "dev", "in");
            internet.exec("ip", "addr", "add", "198.51.100.2/30", "dev", "eth0");
            internet.exec("ip", "addr", "add", INTERNET + "/32", "dev", "lo");
            internet.exec("ip", "route", "replace", "198.51.100.0/30", "dev", "eth0", "src", INTERNET);
            node.exec("ip", "route", "add", "default", "via", "198.51.100.2");
            String iptables = ExporterFixture.iptables(family, false);
            node.exec(iptables, "-w", "-t", "nat", "-A", "PREROUTING", "-d", CLUSTER_IP + "/32", "-p", "tcp", "--dport", "80",
                    "-j", "DNAT", "--to-destination", ZONE + ":5002");
            node.exec(iptables, "-w", "-t", "nat", "-A", "POSTROUTING", "-o", "in", "-j", "MASQUERADE");
            if (ipv6) {
                node.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
                pod6(podA, "pa", "fd00:10:1", POD_A6);
                pod6(podB, "pb", "fd00:10:2", POD_B6);
                pod6(podC, "pc", "fd00:10:3", POD_C6);
                remote6(zone, "zn", "fd00:ff:1", ZONE6, "fd00:20::/32");
                remote6(internet, "in", "2001:db8:ff", INTERNET6, "2001:db8:1::/48");
            }
            ok = true;
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private Netns add(Netns ns) {
        all.add(ns);
        return ns;
    }

    private void pod(Netns pod, String nodeIf, String ip) {
        Netns.veth(node, nodeIf, pod, "eth0");
        node.exec("sysctl", "-q", "-w", "net.ipv4.conf." + nodeIf + ".proxy_arp=1");
        node.exec("ip", "route", "add", ip + "/32", "dev", nodeIf);
        pod.exec("ip", "addr", "add", ip + "/32", "dev", "eth0");
        pod.exec("ip", "route", "add", "default", "dev", "eth0");
    }

    private void pod6(Netns pod, String nodeIf, String link, String ip) {
        node.exec("ip", "-6", "addr", "add", link + "::1/64", "dev", nodeIf, "nodad");
        pod.exec("ip", "-6", "addr", "add", ip + "/64", "dev", "eth0", "nodad");
        pod.exec("ip", "-6", "route", "add", "default", "via", link + "::1", "dev", "eth0");
    }

    private void remote6(Netns ns, String nodeIf, String link, String ip, String cidr) {
        node.exec("ip", "-6", "addr", "add", link + "::1/64", "dev", nodeIf, "nodad");
        ns.exec("ip", "-6", "addr", "add", link + "::2/64", "dev", "eth0", "nodad");
        ns.exec("ip", "-6", "addr", "add", ip + "/128", "dev", "lo", "nodad");
        ns.exec("ip", "-6", "route", "add", "default", "via", link + "::1", "dev", "eth0", "src", ip);
        node.exec("ip", "-6", "route", "add", cidr, "via", link + "::2", "dev", nodeIf);
    }

    private void remote(Netns ns, String nodeIf, String link, String ip, String cidr) {
        Netns.veth(node, nodeIf, ns, "eth0");
        node.exec("ip", "addr", "add", link + ".1/30", "dev", nodeIf);
        ns.exec("ip", "addr", "add", link + ".2/30", "dev", "eth0");
        ns.exec("ip", "addr", "add", ip + "/32", "dev", "lo");
        ns.exec("ip", "route", "add", "default", "via", link + ".1", "src", ip);
        node.exec("ip", "route", "add", cidr, "via", link + ".2");
    }

    /**
     * A "load balancer" namespace linked to the node (10.255.3.0/30), holding {@code addresses} (its
     * ENIs' private IPs) on its loopback, each routed to it from the node by a /32 (so they may sit
     * inside another namespace's routed range, e.g. the VPC's 10.0.0.0/16).
     */
    Netns loadBalancer(String... addresses) {
        Netns lb = add(Netns.create("lb"));
        Netns.veth(node, "lb", lb, "eth0");
        node.exec("ip", "addr", "add", "10.255.3.1/30", "dev", "lb");
        lb.exec("ip", "addr", "add", "10.255.3.2/30", "dev", "eth0");
        lb.exec("ip", "route", "add", "default", "via", "10.255.3.1");
        for (String a : addresses) {
            lb.exec("ip", "addr", "add", a + "/32", "dev", "lo");
            node.exec("ip", "route", "add", a + "/32", "via", "10.255.3.2");
        }
        return lb;
    }

    /**
     * One TCP connection opened by {@code client} from its address {@code source} to
     * {@code server}'s {@code address}:{@code port}, carrying {@code file} from the client to the
     * server ({@code upload}) or from the server to the client. The server is listening before the
     * client connects, so the connection is opened exactly once (no refused attempt, no retry).
     */
    static void connection(Netns client, String source, Netns server, String address, int port, Path file, boolean upload) {
        connection(client, source, server, address, port, port, file, upload);
    }

    /** {@link #connection} to {@code address}:{@code port} where the server listens on {@code listenPort} (behind a DNAT). */
    static void connection(Netns client, String source, Netns server, String address, int port, int listenPort, Path file,
                           boolean upload) {
        Process s = upload
                ? server.spawn("socat", "-u", "TCP-LISTEN:" + listenPort + ",reuseaddr", "OPEN:/dev/null")
                : server.spawn("socat", "-u", "OPEN:" + file, "TCP-LISTEN:" + listenPort + ",reuseaddr");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> !server.exec("ss", "-Htln", "sport = :" + listenPort).isBlank());
        String connect = "TCP:" + address + ":" + port + ",bind=" + source;
        Process c = upload
                ? client.spawn("socat", "-u", "OPEN:" + file, connect)
                : client.spawn("socat", "-u", connect, "OPEN:/dev/null");
        await(c, "connection " + source + " -> " + address + ":" + port);
        await(s, "server in " + server.name() + " on " + listenPort);
    }

    /** A file of {@code size} bytes to send. */
    static Path payload(Path dir, int size) {
        try {
            Path f = dir.resolve("payload-" + size);
            if (!Files.exists(f)) {
                Files.write(f, new byte[size]);
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code file} over one TCP connection from {@code from} to {@code connectTo}:{@code port};
     * the receiver listens in {@code to} on {@code listenPort}. Returns when both ends are done.
     */
    static void tcp(Netns from, Netns to, String connectTo, int port, int listenPort, Path file) {
        Process server = to.spawn("socat", "-u", "TCP-LISTEN:" + listenPort + ",reuseaddr", "OPEN:/dev/null");
        Process client = from.spawn("socat", "-u", "OPEN:" + file, "TCP:" + connectTo + ":" + port + ",retry=200,interval=0.05");
        await(client, "tcp client " + from.name() + " -> " + connectTo + ":" + port);
        await(server, "tcp server in " + to.name() + " on " + listenPort);
    }

    /** Like {@link #tcp}, over IPv6. */
    static void tcp6(Netns from, Netns to, String connectTo, int port, Path file) {
        Process server = to.spawn("socat", "-u", "TCP6-LISTEN:" + port + ",reuseaddr", "OPEN:/dev/null");
        Process client = from.spawn("socat", "-u", "OPEN:" + file, "TCP6:[" + connectTo + "]:" + port + ",retry=200,interval=0.05");
        await(client, "tcp6 client " + from.name() + " -> " + connectTo + ":" + port);
        await(server, "tcp6 server in " + to.name() + " on " + port);
    }

    /** Sends {@code file} as UDP datagrams of {@code datagram} bytes from an unconnected socket (nobody needs to listen). */
    static void udp(Netns from, String to, int port, Path file, int datagram) {
        Process client = from.spawn("socat", "-u", "-b", Integer.toString(datagram), "OPEN:" + file, "UDP-SENDTO:" + to + ":" + port);
        await(client, "udp client " + from.name() + " -> " + to);
    }

    private static void await(Process p, String what) {
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(what + " finished").isTrue();
            assertThat(p.exitValue()).as(what + " exit code").isZero();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
