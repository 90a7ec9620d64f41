package dev.netcost.cadvisor;

import dev.netcost.core.testing.MutableClusterMetadata;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.spi.SourceUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The procfs source against fake /proc and cgroup trees laid out as the kernel and the kubelet lay them out. */
class ProcfsNetworkReaderTest {
    private static final String HEADER = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            """;

    @TempDir
    Path root;
    Path proc;
    Path cgroup;

    static String netDevLine(String iface, long base) {
        StringBuilder sb = new StringBuilder(String.format("%6s:", iface));
        for (int i = 0; i < 16; i++) {
            sb.append(' ').append(base + i);
        }
        return sb.append('\n').toString();
    }

    /** A process with a network namespace, a net/dev and a cgroup file. */
    void process(int pid, long netns, String netDev, String cgroupLine) throws IOException {
        Path p = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(p.resolve("ns"));
        Files.createSymbolicLink(p.resolve("ns/net"), Path.of("net:[" + netns + "]"));
        Files.createDirectories(p.resolve("net"));
        Files.writeString(p.resolve("net/dev"), HEADER + netDev);
        Files.writeString(p.resolve("cgroup"), cgroupLine + "\n");
    }

    void cgroupProcs(String relDir, int... pids) throws IOException {
        Path d = Files.createDirectories(cgroup.resolve(relDir));
        StringBuilder sb = new StringBuilder();
        for (int pid : pids) {
            sb.append(pid).append('\n');
        }
        Files.writeString(d.resolve("cgroup.procs"), sb.toString());
    }

    List<Sample> collect(ProcfsNetworkReader reader, int[] malformed) throws Exception {
        List<Sample> out = new ArrayList<>();
        malformed[0] = reader.collect((Labels l, double v, long ts) -> out.add(new Sample(l, v, ts)));
        return out;
    }

    @Test
    void findsEachPodThroughItsCgroup_v2AndV1_systemdAndCgroupfs_andEmitsCadvisorsSeries() throws Exception {
        proc = Files.createDirectories(root.resolve("proc"));
        cgroup = Files.createDirectories(root.resolve("cgroup"));
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026531840]"));

        String uidA = "3b1f6a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"; // v2, systemd, burstable
        String uidB = "5c0ffee0-1111-2222-3333-444455556666"; // v1 memory controller, cgroupfs, besteffort
        String uidC = "9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d"; // v2, systemd, guaranteed, host network namespace
        String uidD = "00000000-0000-0000-0000-00000000000d"; // no cgroup at all (not started)
        String uidE = "eeeeeeee-0000-0000-0000-00000000000e"; // hostNetwork pod
        cgroupProcs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidA.replace('-', '_')
                + ".slice/cri-containerd-aaaa.scope", 101, 102);
        cgroupProcs("memory/kubepods/besteffort/pod" + uidB + "/bbbb", 202);
        cgroupProcs("kubepods.slice/kubepods-pod" + uidC.replace('-', '_') + ".slice/cri-containerd-cccc.scope", 303);
        process(101, 4026532001L, netDevLine("lo", 1) + netDevLine("eth0", 1000) + netDevLine("eth1", 5000),
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidA.replace('-', '_') + ".slice");
        process(202, 4026532002L, netDevLine("eth0", 2000) + "  bogus: 1 2 3\n" + netDevLine("veth9", 7),
                "9:memory:/kubepods/besteffort/pod" + uidB + "/bbbb");
        process(303, 4026531840L, netDevLine("ens5", 9000), "0::/kubepods.slice/kubepods-pod" + uidC);

        MutableClusterMetadata metadata = FixedMetadata.of(List.of(FixedMetadata.pod("shop", "a", uidA, false),
                FixedMetadata.pod("shop", "b", uidB, false), FixedMetadata.pod("kube-system", "c", uidC, false),
                FixedMetadata.pod("shop", "d", uidD, false), FixedMetadata.pod("kube-system", "e", uidE, true)));
        ProcfsNetworkReader reader = new ProcfsNetworkReader(proc, cgroup, metadata, List.of(),
                new PodSeriesLabels(metadata));

        int[] malformed = new int[1];
        for (int round = 0; round < 2; round++) {
            List<Sample> samples = collect(reader, malformed);
            assertThat(malformed[0]).isEqualTo(1);
            // a: eth0 and eth1 (lo ignored, like cAdvisor); b: eth0 (veth ignored); c: host netns; d, e: nothing
            assertThat(samples).hasSize(3 * 8);
            assertThat(samples).contains(
                    new Sample(Labels.of("container_network_receive_bytes_total", "namespace", "shop", "pod", "a",
                            "interface", "eth0", "node", "node-p", "zone", "zone-p", "workload", "a-wl",
                            "workload_kind", "StatefulSet"), 1000, Long.MIN_VALUE),
                    new Sample(Labels.of("container_network_receive_packets_total", "namespace", "shop", "pod", "a",
                            "interface", "eth1", "node", "node-p", "zone", "zone-p", "workload", "a-wl",
                            "workload_kind", "StatefulSet"), 5001, Long.MIN_VALUE),
                    new Sample(Labels.of("container_network_receive_errors_total", "namespace", "shop", "pod", "b",
                            "interface", "eth0", "node", "node-p", "zone", "zone-p", "workload", "b-wl",
                            "workload_kind", "StatefulSet"), 2002, Long.MIN_VALUE),
                    new Sample(Labels.of("container_network_receive_packets_dropped_total", "namespace", "shop", "pod",
                            "b", "interface", "eth0", "node", "node-p", "zone", "zone-p", "workload", "b-wl",
                            "workload_kind", "StatefulSet"), 2003, Long.MIN_VALUE),
                    new Sample(Labels.of("container_network_transmit_bytes_total", "namespace", "shop", "pod", "b",
                            "interface", "eth0", "node", "node-p", "zone", "zone-p", "workload", "b-wl",
                            "workload_kind", "StatefulSet"), 2008, Long.MIN_VALUE),
                    new Sample(Labels.of("container_network_transmit_packets_dropped_total", "namespace", "shop", "pod",
                            "a", "interface", "eth1", "node", "node-p", "zone", "zone-p", "workload", "a-wl",
                            "workload_kind", "StatefulSet"), 5011, Long.MIN_VALUE));
        }

        // pod a's process exits and another takes its place in the pod: the reader follows
        Files.writeString(proc.resolve("101/cgroup"), "0::/system.slice/other.service\n");
        cgroupProcs("kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + uidA.replace('-', '_')
                + ".slice/cri-containerd-aaaa.scope", 104);
        process(104, 4026532004L, netDevLine("eth0", 40_000), "0::/kubepods.slice/kubepods-burstable-pod"
                + uidA.replace('-', '_') + ".slice");
        List<Sample> after = collect(reader, malformed);
        assertThat(after).filteredOn(s -> "a".equals(s.labels().get("pod"))).hasSize(8)
                .anySatisfy(s -> assertThat(s.value()).isEqualTo(40_000));
    }

    @Test
    void staticPid_isUsedInStandaloneMode() throws Exception {
        proc = Files.createDirectories(root.resolve("proc"));
        cgroup = Files.createDirectories(root.resolve("cgroup"));
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[1]"));
        process(77, 2, netDevLine("eth0", 70), "0::/");
        TestExporters t = new TestExporters("""
                nodeName: n
                kubernetes: {enabled: false}
                pods:
                  - {namespace: shop, name: web, ip: 10.0.0.9, pid: 77, workload: web, workloadKind: Deployment}
                  - {namespace: shop, name: nopid, ip: 10.0.0.10}
                cadvisor:
                  source: procfs
                  procRoot: %s
                  cgroupRoot: %s
                """.formatted(proc, cgroup));
        List<Sample> samples = t.collect();
        assertThat(samples).hasSize(8).allSatisfy(s -> {
            assertThat(s.labels().get("pod")).isEqualTo("web");
            assertThat(s.labels().get("workload_kind")).isEqualTo("Deployment");
        });
    }

    @Test
    void missingProcRoot_isAnUnavailableSource() {
        TestExporters t = new TestExporters("""
                cadvisor:
                  source: procfs
                  procRoot: %s
                """.formatted(root.resolve("absent")));
        assertThatThrownBy(t::collect).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("cadvisor.procRoot");
    }
}
