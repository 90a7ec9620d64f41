package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netcost.core.model.Sample;
import dev.netcost.core.testing.PromQueryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The procfs source against the real kernel: two network namespaces joined by a veth pair, a
 * process in each, a known TCP transfer between them, and the counters the exporter reads compared
 * with what {@code ip -s link} reports inside each namespace. Everything created is removed.
 */
class ProcfsNetworkIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRANSFER = 1 << 20;

    private final String suffix = Integer.toHexString(new Random().nextInt(0x1000000));
    private final String nsA = "nc-" + suffix + "-a";
    private final String nsB = "nc-" + suffix + "-b";
    private final List<Process> started = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();

    @BeforeEach
    void namespacesWithAVethPair() throws Exception {
        for (String ns : List.of(nsA, nsB)) {
            run("ip", "netns", "add", ns);
            namespaces.add(ns);
            // No IPv6: its router solicitations and MLD reports would move the counters at random times.
            run("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;"
                    + " echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6");
            run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        run("ip", "-n", nsA, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", nsB);
        run("ip", "-n", nsA, "addr", "add", "10.231.0.1/30", "dev", "eth0");
        run("ip", "-n", nsB, "addr", "add", "10.231.0.2/30", "dev", "eth0");
        run("ip", "-n", nsA, "link", "set", "eth0", "up");
        run("ip", "-n", nsB, "link", "set", "eth0", "up");
    }

    @AfterEach
    void removeEverything() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (String ns : namespaces) {
            run("ip", "netns", "del", ns); // also removes the veth pair
        }
    }

    @Test
    void bytesReadFromProcfs_matchIpSLinkInsideEachNamespace_afterAKnownTransfer() throws Exception {
        long pidA = sleeper(nsA);
        long pidB = sleeper(nsB);

        // 1 MiB from a to b over TCP
        Process receiver = start("ip", "netns", "exec", nsB, "socat", "-u", "TCP-LISTEN:5001,reuseaddr", "STDOUT");
        CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> count(receiver.getInputStream()));
        Process sender = start("ip", "netns", "exec", nsA, "socat", "-u", "STDIN",
                "TCP:10.231.0.2:5001,retry=100,interval=0.1");
        try (OutputStream out = sender.getOutputStream()) {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < TRANSFER / chunk.length; i++) {
                out.write(chunk);
            }
        }
        assertThat(sender.waitFor(60, TimeUnit.SECONDS)).as("sender finished").isTrue();
        assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(TRANSFER);
        assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).as("receiver finished").isTrue();

        TestExporters t = new TestExporters("""
                nodeName: it-node
                kubernetes: {enabled: false}
                pods:
                  - {namespace: it, name: pod-a, ip: 10.231.0.1, pid: %d}
                  - {namespace: it, name: pod-b, ip: 10.231.0.2, netns: /run/netns/%s}
                cadvisor:
                  source: procfs
                """.formatted(pidA, nsB));

        // Counters can still move (a late ACK): compare once two readings of ip agree around ours.
        PromQueryClient.await("procfs counters equal to ip -s link", () -> {
            try {
                Map<String, Long> before = ipCounters();
                Map<String, Long> ours = new HashMap<>();
                for (Sample s : t.collect()) {
                    ours.put(s.labels().get("pod") + "/" + s.labels().get("interface") + "/" + s.labels().metricName(),
                            (long) s.value());
                }
                Map<String, Long> after = ipCounters();
                return before.equals(after) ? List.of(before, ours) : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r != null && r.get(0).equals(r.get(1)), Duration.ofSeconds(20));

        Map<String, Long> now = ipCounters();
        assertThat(now.get("pod-a/eth0/container_network_transmit_bytes_total")).isGreaterThan(TRANSFER);
        assertThat(now.get("pod-b/eth0/container_network_receive_bytes_total")).isGreaterThan(TRANSFER);
        assertThat(now).hasSize(16);
        assertThat(pidB).isPositive();
    }

    /** ip's view, keyed like the exporter's samples. */
    private Map<String, Long> ipCounters() throws Exception {
        Map<String, Long> out = new HashMap<>();
        for (String[] pod : new String[][] {{"pod-a", nsA}, {"pod-b", nsB}}) {
            JsonNode link = JSON.readTree(run("ip", "-n", pod[1], "-s", "-j", "link", "show", "dev", "eth0")).get(0);
            JsonNode rx = link.get("stats64").get("rx");
            JsonNode tx = link.get("stats64").get("tx");
            String k = pod[0] + "/eth0/container_network_";
            out.put(k + "receive_bytes_total", rx.get("bytes").asLong());
            out.put(k + "receive_packets_total", rx.get("packets").asLong());
            out.put(k + "receive_errors_total", rx.get("errors").asLong());
            out.put(k + "receive_packets_dropped_total", rx.get("dropped").asLong() + rx.path("missed").asLong());
            out.put(k + "transmit_bytes_total", tx.get("bytes").asLong());
            out.put(k + "transmit_packets_total", tx.get("packets").asLong());
            out.put(k + "transmit_errors_total", tx.get("errors").asLong());
            out.put(k + "transmit_packets_dropped_total", tx.get("dropped").asLong());
        }
        return out;
    }

    /** A process living in {@code ns}; returns its PID once it is inside the namespace. */
    private long sleeper(String ns) throws Exception {
        Process p = start("ip", "netns", "exec", ns, "sleep", "600");
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        PromQueryClient.await("process in " + ns, () -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")).toString();
            } catch (IOException e) {
                return host;
            }
        }, link -> !link.equals(host), Duration.ofSeconds(10));
        return p.pid();
    }

    private Process start(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        started.add(p);
        return p;
    }

    private static long count(InputStream in) {
        try (in) {
            long n = 0;
            byte[] buf = new byte[65536];
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
            return n;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
