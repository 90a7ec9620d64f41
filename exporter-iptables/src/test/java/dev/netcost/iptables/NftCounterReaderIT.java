package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.netcost.core.k8s.TrafficClass;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The GETOBJ reader against the real kernel: counters set by an {@code nft -f} script (values no
 * traffic could reach in a test: full 64-bit ones too) come back exactly, per address, direction and
 * class, over several dump batches; other tables and names not of netcost's form are ignored; a
 * missing table reads as nothing.
 */
class NftCounterReaderIT {
    /** The classes with counters of their own (a pod's load_balancer class is the sum of its load-balancer counters). */
    private static final TrafficClass[] CLASSES = {TrafficClass.SAME_ZONE, TrafficClass.CROSS_ZONE, TrafficClass.IN_VPC,
            TrafficClass.INTERNET};

    /** "e|i 4|6 class address-hex" → "packets bytes", collected from the sink. */
    static final class MapSink implements CounterSink {
        final Map<String, String> got = new TreeMap<>();

        @Override
        public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes) {
            String key = NftRuleset.counterName(direction, trafficClass,
                    new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
            assertThat(got.put(key, Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes))).as(key).isNull();
        }

        @Override
        public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes) {
            byte[] a = RecordingSink.ipv6Bytes(high, low);
            String key = NftRuleset.counterName(direction, trafficClass, a);
            assertThat(got.put(key, Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes))).as(key).isNull();
        }

        @Override
        public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, int address,
                                  long packets, long bytes) {
            String key = NftRuleset.loadBalancerCounterName(kind, zoneClass, LoadBalancerIndex.code(loadBalancerId),
                    new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
            assertThat(got.put(key, Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes))).as(key).isNull();
        }

        @Override
        public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long high, long low,
                                  long packets, long bytes) {
            String key = NftRuleset.loadBalancerCounterName(kind, zoneClass, LoadBalancerIndex.code(loadBalancerId),
                    RecordingSink.ipv6Bytes(high, low));
            assertThat(got.put(key, Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes))).as(key).isNull();
        }
    }

    /** Sums what it is given, allocating nothing. */
    static final class SumSink implements CounterSink {
        long packets;
        long bytes;
        int calls;

        @Override
        public void ipv4(Direction direction, TrafficClass trafficClass, int address, long p, long b) {
            packets += p;
            bytes += b;
            calls++;
        }

        @Override
        public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long p, long b) {
            packets += p;
            bytes += b;
            calls++;
        }

        @Override
        public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int id, int address, long p, long b) {
            packets += p;
            bytes += b;
            calls++;
        }

        @Override
        public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int id, long high, long low, long p, long b) {
            packets += p;
            bytes += b;
            calls++;
        }
    }

    @Test
    void readsEveryCounterExactly_v4AndV6_acrossDumpBatches_andIgnoresWhatIsNotOurs() throws Exception {
        Random random = new Random(42);
        StringBuilder script = new StringBuilder("""
                add table inet netcost
                add chain inet netcost postrouting { type filter hook postrouting priority mangle; policy accept; }
                add chain inet netcost egress
                add table inet other
                add counter inet other e4-internet-0a0a0102 { packets 1 bytes 1 }
                add counter inet netcost e4-nonsense-0a0a0102 { packets 1 bytes 1 }
                add counter inet netcost e4-internet-0a0a01020 { packets 1 bytes 1 }
                add counter inet netcost x4-internet-0a0a0102 { packets 1 bytes 1 }
                add counter inet netcost E4-internet-0A0A0102 { packets 1 bytes 1 }
                add quota inet netcost e4-internet-0a0a0103 { 100 bytes }
                """);
        Map<String, String> want = new TreeMap<>();
        for (int i = 0; i < 3000; i++) {
            boolean v6 = i % 5 == 0;
            byte[] address = new byte[v6 ? 16 : 4];
            random.nextBytes(address);
            String name = NftRuleset.counterName(i % 2 == 0 ? Direction.EGRESS : Direction.INGRESS, CLASSES[i % 4], address);
            long packets = i == 1 ? -1L : random.nextLong() >>> random.nextInt(64);
            long bytes = i == 2 ? Long.MIN_VALUE : random.nextLong() >>> random.nextInt(64);
            String value = Long.toUnsignedString(packets) + " " + Long.toUnsignedString(bytes);
            if (want.put(name, value) == null) {
                script.append("add counter inet netcost ").append(name).append(" { packets ").append(Long.toUnsignedString(packets))
                        .append(" bytes ").append(Long.toUnsignedString(bytes)).append(" }\n");
            }
        }
        try (Netns ns = Netns.create("nftread"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader reader = NftCounterReader.open(thread, "netcost")) {
            ns.execWithInput(script.toString(), "nft", "-f", "-");
            assertThat(want).hasSize(3000);
            for (int round = 0; round < 2; round++) {
                MapSink sink = new MapSink();
                assertThat(reader.read(sink)).isEqualTo(new ReadStatus(1, 3000));
                assertThat(sink.got).isEqualTo(want);
            }
            assertThat(reader.name()).isEqualTo("netlink");
            // The nft program's listing, parsed: the same counters.
            MapSink listed = new MapSink();
            CommandRunner runner = new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30));
            assertThat(new NftListCounterReader(runner, "nft", "netcost").read(listed)).isEqualTo(new ReadStatus(1, 3000));
            assertThat(listed.got).isEqualTo(want);
            assertThat(new NftListCounterReader(runner, "nft", "absent").read(listed)).isEqualTo(new ReadStatus(0, 0));
        }
    }

    @Test
    void steadyStateRead_allocatesNothingPerCounter() throws Exception {
        StringBuilder script = new StringBuilder("add table inet netcost\n");
        for (int i = 0; i < 2000; i++) {
            script.append("add counter inet netcost ")
                    .append(NftRuleset.counterName(Direction.EGRESS, CLASSES[i % 4], new byte[] {10, 10, (byte) (i >>> 8), (byte) i}))
                    .append(" { packets 3 bytes 5 }\n");
        }
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Netns ns = Netns.create("nftalloc"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader reader = NftCounterReader.open(thread, "netcost")) {
            ns.execWithInput(script.toString(), "nft", "-f", "-");
            long nativeThread = thread.call(() -> Thread.currentThread().getId());
            SumSink sink = new SumSink();
            for (int i = 0; i < 200; i++) { // warm-up: arrays grown, code compiled
                reader.read(sink);
            }
            int reads = 50;
            long nativeBefore = mx.getThreadAllocatedBytes(nativeThread);
            long callerBefore = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            sink = new SumSink();
            for (int i = 0; i < reads; i++) {
                reader.read(sink);
            }
            long nativePerRead = (mx.getThreadAllocatedBytes(nativeThread) - nativeBefore) / reads;
            long callerPerRead = (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - callerBefore) / reads;
            assertThat(sink.calls).isEqualTo(2000 * reads);
            assertThat(sink.bytes).isEqualTo(5L * 2000 * reads);
            // One object per counter would be >= 16 bytes x 2,000; what is left is the hand-over to the thread.
            assertThat(nativePerRead).as("bytes allocated per read on the native thread").isLessThan(1024);
            assertThat(callerPerRead).as("bytes allocated per read on the caller").isLessThan(1024);
            System.out.printf("NftCounterReaderIT: allocated per read of 2,000 counters: native thread %d B, caller %d B%n",
                    nativePerRead, callerPerRead);
        }
    }

    @Test
    void missingTable_readsAsNothing_andATableWithoutItsBaseChainHasNoHook() throws Exception {
        try (Netns ns = Netns.create("nftnone"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader reader = NftCounterReader.open(thread, "netcost")) {
            MapSink sink = new MapSink();
            assertThat(reader.read(sink)).isEqualTo(new ReadStatus(0, 0));
            ns.execWithInput("""
                    add table inet other
                    add chain inet other postrouting { type filter hook postrouting priority mangle; policy accept; }
                    add table ip netcost
                    add chain ip netcost postrouting { type filter hook postrouting priority mangle; policy accept; }
                    add counter ip netcost e4-internet-0a0a0102
                    """, "nft", "-f", "-");
            assertThat(reader.read(sink)).isEqualTo(new ReadStatus(0, 0));
            ns.execWithInput("add table inet netcost\nadd counter inet netcost e4-internet-0a0a0102\n", "nft", "-f", "-");
            assertThat(reader.read(sink)).isEqualTo(new ReadStatus(0, 1));
            assertThat(sink.got).containsOnlyKeys("e4-internet-0a0a0102");
            ns.execWithInput("""
                    add chain inet netcost postrouting { type filter hook postrouting priority mangle; policy accept; }
                    add chain inet netcost forward { type filter hook forward priority mangle; policy accept; }
                    """, "nft", "-f", "-");
            assertThat(reader.read(new MapSink())).isEqualTo(new ReadStatus(2, 1));
        }
    }
}
