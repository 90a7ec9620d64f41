package dev.netcost.iptables;

import static dev.netcost.iptables.NodeTopology.CLUSTER_IP;
import static dev.netcost.iptables.NodeTopology.INTERNET;
import static dev.netcost.iptables.NodeTopology.INTERNET6;
import static dev.netcost.iptables.NodeTopology.POD_A;
import static dev.netcost.iptables.NodeTopology.POD_A6;
import static dev.netcost.iptables.NodeTopology.POD_B;
import static dev.netcost.iptables.NodeTopology.POD_B6;
import static dev.netcost.iptables.NodeTopology.POD_C6;
import static dev.netcost.iptables.NodeTopology.VPC;
import static dev.netcost.iptables.NodeTopology.ZONE;
import static dev.netcost.iptables.NodeTopology.ZONE6;
import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through netcost's own nf_tables table in the "node" namespace of {@link NodeTopology}
 * (NAT rules written with iptables-nft): counters land on the right pod address, direction and
 * class; destinations are seen after DNAT (a ClusterIP to a pod in another zone counts
 * {@code cross_zone}) and sources before masquerade. Driven by {@link NftReconciler} and read with
 * {@link NftCounterReader}.
 */
class NftTrafficIT {
    private static final int MIB = 1024 * 1024;
    private static final int TEN_MIB = 10 * MIB;
    private static final ClassificationSets SETS = new ClassificationSets(cidrs("10.10.0.0/16", "fd00:10::/32"),
            cidrs("10.20.0.0/16", "fd00:20::/32"), cidrs("10.0.0.0/16", "fd00::/8"));

    @TempDir
    Path dir;

    private NodeTopology topo;
    private NetnsThread thread;
    private NftCounterReader reader;

    @AfterEach
    void tearDown() {
        if (reader != null) {
            reader.close();
        }
        if (thread != null) {
            thread.close();
        }
        if (topo != null) {
            topo.close();
        }
    }

    /** "address direction class" → {packets, bytes}. */
    static final class AddressSink implements CounterSink {
        final Map<String, long[]> got = new TreeMap<>();

        @Override
        public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes) {
            put(ChainNames.ipv4ToString(address) + " " + direction.label() + " " + trafficClass.label(), packets, bytes);
        }

        @Override
        public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes) {
            byte[] a = RecordingSink.ipv6Bytes(high, low);
            put(ChainNames.ipv6ToString(a) + " " + direction.label() + " " + trafficClass.label(), packets, bytes);
        }

        @Override
        public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int id, int address, long packets,
                                  long bytes) {
            put(ChainNames.ipv4ToString(address) + " lb " + kind.name().toLowerCase(java.util.Locale.ROOT) + " "
                    + (zoneClass == null ? "-" : zoneClass.label()) + " " + LoadBalancerIndex.code(id), packets, bytes);
        }

        @Override
        public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int id, long high, long low, long packets,
                                  long bytes) {
            put(ChainNames.ipv6ToString(RecordingSink.ipv6Bytes(high, low)) + " lb " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " " + (zoneClass == null ? "-" : zoneClass.label()) + " " + LoadBalancerIndex.code(id), packets, bytes);
        }

        private void put(String key, long packets, long bytes) {
            assertThat(got.put(key, new long[] {packets, bytes})).as("duplicate counter %s", key).isNull();
        }

        long bytes(String key) {
            assertThat(got).containsKey(key);
            return got.get(key)[1];
        }

        long packets(String key) {
            assertThat(got).containsKey(key);
            return got.get(key)[0];
        }
    }

    private void start(List<PodInfo> pods) throws Exception {
        thread = new NetnsThread(topo.node.path());
        reader = NftCounterReader.open(thread, "netcost");
        NftReconciler reconciler = new NftReconciler(new CommandRunner(topo.node.path(), "nsenter", Duration.ofSeconds(30)), "nft",
                "netcost");
        NftReconciler.Applied applied = reconciler.reconcile(NftRuleset.build("netcost", pods, SETS, true));
        assertThat(read().got).hasSize(applied.counters()).allSatisfy((k, v) -> assertThat(v).as(k).containsExactly(0, 0));
    }

    private AddressSink read() throws Exception {
        AddressSink sink = new AddressSink();
        ReadStatus status = reader.read(sink);
        assertThat(status.hooks()).isEqualTo(1);
        assertThat(status.counters()).isEqualTo(sink.got.size());
        return sink;
    }

    private static void assertBetween(AddressSink s, String key, double payload) {
        assertThat(s.bytes(key)).as(key + " bytes").isBetween((long) payload, (long) (payload * 1.1));
        assertThat(s.packets(key)).as(key + " packets").isPositive();
    }

    @Test
    void countsKnownTraffic_byAddressDirectionAndClass_afterDnatAndBeforeMasquerade() throws Exception {
        topo = new NodeTopology(IptablesFamily.NFT);
        start(List.of(pod("shop", "web-0", POD_A), pod("shop", "api-0", POD_B)));
        assertThat(read().got).hasSize(2 * 2 * 4);

        Path tenMib = NodeTopology.payload(dir, TEN_MIB);
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, tenMib);           // A -> other zone
        NodeTopology.tcp(topo.zone, topo.podA, POD_A, 5011, 5011, tenMib);          // other zone -> A
        NodeTopology.tcp(topo.podB, topo.zone, CLUSTER_IP, 80, 5002, tenMib);       // B -> ClusterIP, DNAT to other zone
        NodeTopology.tcp(topo.podB, topo.internet, INTERNET, 5003, 5003, tenMib);   // B -> internet, masqueraded
        NodeTopology.tcp(topo.podA, topo.podB, POD_B, 5004, 5004, tenMib);          // A -> B, same node
        NodeTopology.udp(topo.podA, VPC, 5005, NodeTopology.payload(dir, 200 * 1000), 1000); // A -> VPC, 200 datagrams

        AddressSink s = read();
        assertBetween(s, POD_A + " egress cross_zone", TEN_MIB);
        assertBetween(s, POD_A + " ingress cross_zone", TEN_MIB);
        assertBetween(s, POD_B + " egress cross_zone", TEN_MIB);   // classified by the pod behind the ClusterIP
        assertBetween(s, POD_B + " egress internet", TEN_MIB);     // counted by pod address, so before masquerade
        assertBetween(s, POD_A + " egress same_zone", TEN_MIB);
        assertBetween(s, POD_B + " ingress same_zone", TEN_MIB);
        assertThat(s.packets(POD_A + " egress in_vpc")).isEqualTo(200);
        assertThat(s.bytes(POD_A + " egress in_vpc")).isEqualTo(200 * (1000 + 8 + 20));
        assertThat(s.bytes(POD_A + " egress internet")).isZero();
        // Replies through the masquerade are un-NATed before postrouting: the pod's own ingress.
        assertThat(s.packets(POD_B + " ingress internet")).isPositive();
        assertThat(s.bytes(POD_B + " ingress internet")).isLessThan(TEN_MIB / 10);
        assertThat(s.bytes(POD_B + " ingress cross_zone")).isPositive().isLessThan(TEN_MIB / 5);
    }

    @Test
    void countsIpv6Traffic_inTheSameTable() throws Exception {
        topo = new NodeTopology(IptablesFamily.NFT, true);
        start(List.of(pod("shop", "web-0", POD_A, POD_A6), pod("shop", "api-0", POD_B, POD_B6), pod("shop", "six-0", POD_C6)));
        Path tenMib = NodeTopology.payload(dir, TEN_MIB);
        NodeTopology.tcp6(topo.podA, topo.zone, ZONE6, 6001, tenMib);          // A -> other zone, v6
        NodeTopology.tcp(topo.podA, topo.zone, ZONE, 5001, 5001, tenMib);     // A -> other zone, v4: its own counter
        NodeTopology.tcp6(topo.zone, topo.podA, POD_A6, 6002, tenMib);         // other zone -> A
        NodeTopology.tcp6(topo.podB, topo.internet, INTERNET6, 6003, tenMib);  // B -> internet
        NodeTopology.tcp6(topo.podC, topo.podB, POD_B6, 6004, tenMib);         // C (v6 only) -> B, same node

        AddressSink s = read();
        assertBetween(s, POD_A6 + " egress cross_zone", TEN_MIB);
        assertBetween(s, POD_A + " egress cross_zone", TEN_MIB);
        assertBetween(s, POD_A6 + " ingress cross_zone", TEN_MIB);
        assertBetween(s, POD_B6 + " egress internet", TEN_MIB);
        assertBetween(s, POD_C6 + " egress same_zone", TEN_MIB);
        assertBetween(s, POD_B6 + " ingress same_zone", TEN_MIB);
        assertThat(s.bytes(POD_C6 + " egress internet")).isZero();
        assertThat(s.bytes(POD_B6 + " ingress internet")).isPositive().isLessThan(TEN_MIB / 10); // ACKs
    }
}
