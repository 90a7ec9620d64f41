package dev.netcost.iptables;

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.SampleConsumer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums one read's counters per pod, direction and class, and turns them into
 * {@code netcost_pod_network_bytes_total} / {@code netcost_pod_network_packets_total} samples; and
 * per pod and load balancer ({@link LoadBalancerIndex}, rebuilt with the pods) into
 * {@code netcost_pod_load_balancer_bytes_total} (direction, zone class) and
 * {@code netcost_pod_load_balancer_connections_total}. A pod's {@code load_balancer} class is the sum
 * of its load-balancer byte counters and of its {@code load_balancer} class counter (which exists
 * when some load balancer's targets leave a pod out: it catches the traffic of a pod with a load
 * balancer it is not a target of). A pod's load-balancer series appear once they are non-zero: a
 * node has a counter for every pod and load balancer targeting it, most of which never see a packet.
 * Readers report counters by pod address; the pod is found through an index of the metadata's local
 * pods (their first IPv4 and first IPv6 address, as the rules are made), rebuilt only when the
 * metadata's generation changes, with primitive open addressing, so a read allocates nothing per
 * rule. Addresses with no current pod (and hostNetwork pods) are not reported. The series have no
 * address-family label, so a dual-stack pod's IPv4 and IPv6 counters add up into one series.
 * Label sets are kept per pod between reads.
 *
 * <p>Use: {@link #begin}, the reader's calls, {@link #emit}. Not thread-safe.
 */
final class PodCounters implements CounterSink {
    static final String BYTES = "netcost_pod_network_bytes_total";
    static final String PACKETS = "netcost_pod_network_packets_total";
    static final String LB_BYTES = "netcost_pod_load_balancer_bytes_total";
    static final String LB_CONNECTIONS = "netcost_pod_load_balancer_connections_total";
    /** Per pod and load balancer: egress by zone class (3), ingress by zone class (3), connections. */
    private static final int LB_SERIES = 7;
    private static final int LB_CONNECTIONS_INDEX = 6;

    private static final int SERIES = ChainNames.classChainCount();

    private static final class Slot {
        final PodInfo pod;
        final long[] packets = new long[SERIES];
        final long[] bytes = new long[SERIES];
        int present;
        int round;
        final Labels[] labels = new Labels[SERIES * 2];
        String labelledNode;
        String labelledZone;
        long[] lbPackets = new long[0];
        long[] lbBytes = new long[0];
        boolean[] lbPresent = new boolean[0];
        Labels[] lbLabels = new Labels[0];

        Slot(PodInfo pod) {
            this.pod = pod;
        }

        void loadBalancers(int count) {
            lbPackets = new long[count * LB_SERIES];
            lbBytes = new long[count * LB_SERIES];
            lbPresent = new boolean[count * LB_SERIES];
            lbLabels = new Labels[count * LB_SERIES];
        }
    }

    private ClusterMetadata metadata;
    private LoadBalancerIndex loadBalancers = LoadBalancerIndex.EMPTY;
    private long generation;
    private int round;
    private Slot[] slots = new Slot[0];
    // IPv4 address -> slot index + 1 (0: empty)
    private int[] v4Keys = new int[1];
    private int[] v4Values = new int[1];
    // IPv6 address (high, low) -> slot index + 1 (0: empty)
    private long[] v6High = new long[1];
    private long[] v6Low = new long[1];
    private int[] v6Values = new int[1];

    /** Starts a read against this metadata, re-indexing its pods when they changed. */
    void begin(ClusterMetadata md) {
        if (md != metadata || md.generation() != generation) {
            index(md);
        }
        round++;
    }

    private void index(ClusterMetadata md) {
        long gen = md.generation(); // before reading the pods: a change while indexing re-indexes next time
        List<PodInfo> pods = new ArrayList<>(md.localPods());
        pods.sort((a, b) -> AccountingRules.podKey(a).compareTo(AccountingRules.podKey(b)));
        Map<PodInfo, Slot> old = new IdentityHashMap<>();
        for (Slot s : slots) {
            old.put(s.pod, s);
        }
        int capacity = Integer.highestOneBit(Math.max(1, pods.size()) * 4);
        int[] k4 = new int[capacity];
        int[] val4 = new int[capacity];
        long[] hi6 = new long[capacity];
        long[] lo6 = new long[capacity];
        int[] val6 = new int[capacity];
        List<Slot> out = new ArrayList<>(pods.size());
        for (PodInfo p : pods) {
            if (p.hostNetwork()) {
                continue;
            }
            boolean v4Done = false;
            boolean v6Done = false;
            int slot = -1;
            for (String ip : p.ips()) {
                Integer a = v4Done ? null : ChainNames.parseIpv4(ip);
                byte[] b = a != null || v6Done ? null : ChainNames.parseIpv6(ip);
                if (a == null && b == null) {
                    continue;
                }
                if (slot < 0) {
                    Slot s = old.get(p);
                    out.add(s != null ? s : new Slot(p));
                    slot = out.size();
                }
                if (a != null) {
                    v4Done = true;
                    put4(k4, val4, a, slot);
                } else {
                    v6Done = true;
                    put6(hi6, lo6, val6, word(b, 0), word(b, 8), slot);
                }
            }
        }
        LoadBalancerIndex lbs = LoadBalancerIndex.build(md.loadBalancers(), md.nodeZone());
        boolean lbsChanged = !lbs.equals(loadBalancers);
        for (Slot s : out) {
            if (lbsChanged || s.lbBytes.length != lbs.entries().size() * LB_SERIES) {
                s.loadBalancers(lbs.entries().size());
            }
        }
        loadBalancers = lbs;
        slots = out.toArray(Slot[]::new);
        v4Keys = k4;
        v4Values = val4;
        v6High = hi6;
        v6Low = lo6;
        v6Values = val6;
        metadata = md;
        generation = gen;
    }

    private static long word(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    private static int hash(long v, int mask) {
        long h = v * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    /** Adds unless the address is taken (the first pod by namespace/name keeps it, as for the rules). */
    private static void put4(int[] keys, int[] values, int key, int value) {
        int mask = keys.length - 1;
        for (int i = hash(key, mask); ; i = (i + 1) & mask) {
            if (values[i] == 0) {
                keys[i] = key;
                values[i] = value;
                return;
            }
            if (keys[i] == key) {
                return;
            }
        }
    }

    private static void put6(long[] high, long[] low, int[] values, long h, long l, int value) {
        int mask = values.length - 1;
        for (int i = hash(h ^ Long.rotateLeft(l, 29), mask); ; i = (i + 1) & mask) {
            if (values[i] == 0) {
                high[i] = h;
                low[i] = l;
                values[i] = value;
                return;
            }
            if (high[i] == h && low[i] == l) {
                return;
            }
        }
    }

    /** The slot of an IPv4 pod address, or null. */
    private Slot slot4(int address) {
        int[] values = v4Values;
        int mask = values.length - 1;
        for (int i = hash(address, mask); values[i] != 0; i = (i + 1) & mask) {
            if (v4Keys[i] == address) {
                return slots[values[i] - 1];
            }
        }
        return null;
    }

    /** The slot of an IPv6 pod address, or null. */
    private Slot slot6(long high, long low) {
        int[] values = v6Values;
        int mask = values.length - 1;
        for (int i = hash(high ^ Long.rotateLeft(low, 29), mask); values[i] != 0; i = (i + 1) & mask) {
            if (v6High[i] == high && v6Low[i] == low) {
                return slots[values[i] - 1];
            }
        }
        return null;
    }

    @Override
    public void ipv4(Direction direction, TrafficClass trafficClass, int address, long packets, long bytes) {
        Slot s = slot4(address);
        if (s != null) {
            add(s, direction, trafficClass, packets, bytes);
        }
    }

    @Override
    public void ipv6(Direction direction, TrafficClass trafficClass, long high, long low, long packets, long bytes) {
        Slot s = slot6(high, low);
        if (s != null) {
            add(s, direction, trafficClass, packets, bytes);
        }
    }

    @Override
    public void loadBalancer4(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, int address, long packets,
                              long bytes) {
        Slot s = slot4(address);
        if (s != null) {
            addLoadBalancer(s, kind, zoneClass, loadBalancerId, packets, bytes);
        }
    }

    @Override
    public void loadBalancer6(LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long high, long low,
                              long packets, long bytes) {
        Slot s = slot6(high, low);
        if (s != null) {
            addLoadBalancer(s, kind, zoneClass, loadBalancerId, packets, bytes);
        }
    }

    /** Starts the slot's sums for this round on its first counter. */
    private void touch(Slot s) {
        if (s.round != round) {
            s.round = round;
            s.present = 0;
            Arrays.fill(s.packets, 0);
            Arrays.fill(s.bytes, 0);
            Arrays.fill(s.lbPackets, 0);
            Arrays.fill(s.lbBytes, 0);
            Arrays.fill(s.lbPresent, false);
        }
    }

    private void add(Slot s, Direction d, TrafficClass c, long packets, long bytes) {
        touch(s);
        int i = ChainNames.index(d, c);
        s.present |= 1 << i;
        s.packets[i] += packets;
        s.bytes[i] += bytes;
    }

    private void addLoadBalancer(Slot s, LoadBalancerCounter kind, TrafficClass zoneClass, int loadBalancerId, long packets,
                                 long bytes) {
        int lb = loadBalancers.indexOf(loadBalancerId);
        if (lb < 0) {
            return; // a load balancer no longer known: its counters go with the next reconcile
        }
        int series;
        if (kind == LoadBalancerCounter.CONNECTIONS) {
            series = LB_CONNECTIONS_INDEX;
        } else {
            int zone = LoadBalancerIndex.ZONE_CLASSES.indexOf(zoneClass);
            if (zone < 0) {
                return;
            }
            series = (kind == LoadBalancerCounter.EGRESS ? 0 : 3) + zone;
            add(s, kind.direction(), TrafficClass.LOAD_BALANCER, packets, bytes);
        }
        touch(s);
        int i = lb * LB_SERIES + series;
        s.lbPresent[i] = true;
        s.lbPackets[i] += packets;
        s.lbBytes[i] += bytes;
    }

    /** Emits the samples of the read started by the last {@link #begin}. */
    void emit(SampleConsumer out) {
        if (metadata == null) {
            throw new IllegalStateException("BUG: emit without begin");
        }
        String node = metadata.nodeName();
        String zone = metadata.nodeZone();
        for (Slot s : slots) {
            if (s.round != round || s.present == 0) {
                continue;
            }
            if (!node.equals(s.labelledNode) || !zone.equals(s.labelledZone)) {
                Arrays.fill(s.labels, null);
                Arrays.fill(s.lbLabels, null);
                s.labelledNode = node;
                s.labelledZone = zone;
            }
            for (int i = 0; i < SERIES; i++) {
                if ((s.present & (1 << i)) == 0) {
                    continue;
                }
                if (s.labels[2 * i] == null) {
                    s.labels[2 * i] = labels(BYTES, s.pod, node, zone, ChainNames.direction(i), ChainNames.trafficClass(i));
                    s.labels[2 * i + 1] = labels(PACKETS, s.pod, node, zone, ChainNames.direction(i), ChainNames.trafficClass(i));
                }
                out.accept(s.labels[2 * i], unsigned(s.bytes[i]));
                out.accept(s.labels[2 * i + 1], unsigned(s.packets[i]));
            }
            emitLoadBalancers(s, node, zone, out);
        }
    }

    private void emitLoadBalancers(Slot s, String node, String zone, SampleConsumer out) {
        List<LoadBalancerIndex.Entry> entries = loadBalancers.entries();
        for (int i = 0; i < s.lbPresent.length; i++) {
            boolean connections = i % LB_SERIES == LB_CONNECTIONS_INDEX;
            long value = connections ? s.lbPackets[i] : s.lbBytes[i];
            if (!s.lbPresent[i] || value == 0) {
                continue;
            }
            if (s.lbLabels[i] == null) {
                LoadBalancer lb = entries.get(i / LB_SERIES).loadBalancer();
                Labels.Builder b = Labels.builder(connections ? LB_CONNECTIONS : LB_BYTES);
                podLabels(b, s.pod, node, zone);
                if (!connections) {
                    int series = i % LB_SERIES;
                    b.add("direction", (series < 3 ? Direction.EGRESS : Direction.INGRESS).label());
                    b.add("class", LoadBalancerIndex.ZONE_CLASSES.get(series % 3).label());
                }
                s.lbLabels[i] = b.add("load_balancer", lb.name()).add("load_balancer_type", lb.type().label()).build();
            }
            out.accept(s.lbLabels[i], unsigned(value));
        }
    }

    /** Kernel counters are unsigned 64-bit. */
    static double unsigned(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    private static Labels labels(String metric, PodInfo pod, String node, String zone, Direction d, TrafficClass c) {
        Labels.Builder b = Labels.builder(metric);
        podLabels(b, pod, node, zone);
        return b.add("direction", d.label()).add("class", c.label()).build();
    }

    private static void podLabels(Labels.Builder b, PodInfo pod, String node, String zone) {
        b.add("namespace", pod.namespace())
                .add("pod", pod.name())
                .add("node", node)
                .add("zone", zone)
                .add("workload", pod.workload())
                .add("workload_kind", pod.workloadKind());
    }
}
