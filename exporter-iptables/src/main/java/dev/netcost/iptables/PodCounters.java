package dev.netcost.iptables;

// TODO(integrator): on branch wt-nft only CounterSink→RuleSink / CounterReader→RuleReader (and ReadStatus accessors) were renamed here to compile; take the other helper's version.

import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.SampleConsumer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Sums one read's rule counters per pod chain and class, and turns them into
 * {@code netcost_pod_network_bytes_total} / {@code netcost_pod_network_packets_total} samples.
 * A chain is reported only while the metadata has a pod at its IP that is the pod the chain was
 * made for (the rule comments name it), so a reused IP never shows another pod's counters.
 * Per-chain state and label sets are kept between reads.
 *
 * <p>IPv6 pod chains (ip6tables) name no address; their pod is found through the chain names of the
 * metadata's pods' IPv6 addresses. The series have no address-family label, so a dual-stack pod's
 * IPv6 counters are added to its IPv4 counters of the same direction and class: one series each.
 */
final class PodCounters implements RuleSink {
    static final String BYTES = "netcost_pod_network_bytes_total";
    static final String PACKETS = "netcost_pod_network_packets_total";

    private static final TrafficClass[] CLASSES = TrafficClass.values();

    private final ChainNames names;
    private final Map<String, ChainTotals> chains = new HashMap<>();
    private int round;
    private boolean sawIpv6;
    private long ipv6Generation = Long.MIN_VALUE;
    private ClusterMetadata ipv6Metadata;
    private Map<String, String> ipv6ByChain = Map.of();
    private String lastChain;
    private ChainTotals lastTotals;

    PodCounters(ChainNames names) {
        this.names = names;
    }

    private static final class ChainTotals {
        final Direction direction;
        final String ip;
        final boolean ipv6;
        final String chainName;
        int round;
        PodInfo emitPod;
        int extraPresent;
        final long[] extraPackets = new long[CLASSES.length];
        final long[] extraBytes = new long[CLASSES.length];
        String comment;
        int present;
        final long[] packets = new long[CLASSES.length];
        final long[] bytes = new long[CLASSES.length];
        PodInfo labelledPod;
        PodInfo checkedPod;
        String checkedComment;
        boolean isForCheckedPod;
        String labelledZone;
        String labelledNode;
        final Labels[] labels = new Labels[CLASSES.length * 2];
        // The class of each rule's comment by position, kept while the reader hands out the same String.
        int ruleIndex;
        String[] ruleComments = new String[4];
        TrafficClass[] ruleClasses = new TrafficClass[4];

        ChainTotals(String chainName, Direction direction, String ip, boolean ipv6) {
            this.chainName = chainName;
            this.direction = direction;
            this.ip = ip;
            this.ipv6 = ipv6;
        }
    }

    /** Starts a new read. */
    void begin() {
        round++;
        sawIpv6 = false;
        lastChain = null;
        lastTotals = null;
    }

    @Override
    public void rule(String chain, String comment, long packets, long bytes) {
        ChainTotals t;
        if (chain == lastChain) { // a chain's rules arrive together
            t = lastTotals;
        } else {
            t = totals(chain);
            lastChain = chain;
            lastTotals = t;
        }
        if (t == null) {
            return;
        }
        if (t.round != round) {
            t.round = round;
            t.present = 0;
            t.comment = null;
            t.ruleIndex = 0;
            Arrays.fill(t.packets, 0);
            Arrays.fill(t.bytes, 0);
        }
        TrafficClass cls = trafficClass(t, comment);
        if (cls == null) {
            return;
        }
        if (t.comment == null) {
            t.comment = comment;
        }
        int i = cls.ordinal();
        t.present |= 1 << i;
        t.packets[i] += packets;
        t.bytes[i] += bytes;
    }

    private ChainTotals totals(String chain) {
        ChainTotals t = chains.get(chain);
        if (t == null && names.isPodChain(chain)) {
            t = names.isIpv6PodChain(chain)
                    ? new ChainTotals(chain, names.direction(chain), null, true)
                    : new ChainTotals(chain, names.direction(chain), ChainNames.ipv4ToString(names.ipv4(chain)), false);
            chains.put(chain, t);
        }
        if (t != null && t.ipv6) {
            sawIpv6 = true;
        }
        return t;
    }

    private static TrafficClass trafficClass(ChainTotals t, String comment) {
        int k = t.ruleIndex++;
        if (k < t.ruleComments.length && comment != null && t.ruleComments[k] == comment) {
            return t.ruleClasses[k];
        }
        TrafficClass cls = RuleComment.trafficClass(comment);
        if (k >= t.ruleComments.length) {
            t.ruleComments = Arrays.copyOf(t.ruleComments, Math.max(k + 1, t.ruleComments.length * 2));
            t.ruleClasses = Arrays.copyOf(t.ruleClasses, t.ruleComments.length);
        }
        t.ruleComments[k] = comment;
        t.ruleClasses[k] = cls;
        return cls;
    }

    /** Emits the samples of the last read and forgets chains it did not see. */
    void emit(ClusterMetadata metadata, SampleConsumer out) {
        String node = metadata.nodeName();
        String zone = metadata.nodeZone();
        if (sawIpv6) {
            refreshIpv6(metadata);
        }
        for (Iterator<Map.Entry<String, ChainTotals>> it = chains.entrySet().iterator(); it.hasNext(); ) {
            ChainTotals t = it.next().getValue();
            t.emitPod = null;
            if (t.extraPresent != 0) {
                t.extraPresent = 0;
                Arrays.fill(t.extraPackets, 0);
                Arrays.fill(t.extraBytes, 0);
            }
            if (t.round != round) {
                it.remove();
                continue;
            }
            String ip = t.ipv6 ? null : t.ip;
            if (t.ipv6) {
                ip = ipv6ByChain.get(t.chainName);
            }
            PodInfo pod = ip == null ? null : metadata.localPodByIp(ip);
            if (t.present != 0 && pod != null && !pod.hostNetwork() && isFor(t, pod)) {
                t.emitPod = pod;
            }
        }
        if (sawIpv6) {
            mergeIpv6IntoIpv4();
        }
        for (ChainTotals t : chains.values()) {
            PodInfo pod = t.emitPod;
            if (pod == null) {
                continue;
            }
            if (t.labelledPod != pod || !zone.equals(t.labelledZone) || !node.equals(t.labelledNode)) {
                Arrays.fill(t.labels, null);
                t.labelledPod = pod;
                t.labelledZone = zone;
                t.labelledNode = node;
            }
            int present = t.present | t.extraPresent;
            for (int i = 0; i < CLASSES.length; i++) {
                if ((present & (1 << i)) == 0) {
                    continue;
                }
                if (t.labels[2 * i] == null) {
                    t.labels[2 * i] = labels(BYTES, pod, node, zone, t.direction, CLASSES[i]);
                    t.labels[2 * i + 1] = labels(PACKETS, pod, node, zone, t.direction, CLASSES[i]);
                }
                long bytes = t.bytes[i];
                long packets = t.packets[i];
                if (t.extraPresent != 0) {
                    bytes += t.extraBytes[i];
                    packets += t.extraPackets[i];
                }
                out.accept(t.labels[2 * i], unsigned(bytes));
                out.accept(t.labels[2 * i + 1], unsigned(packets));
            }
        }
    }

    /** Adds each dual-stack pod's IPv6 chain to its IPv4 chain of the same direction, so one series carries both. */
    private void mergeIpv6IntoIpv4() {
        for (ChainTotals t : chains.values()) {
            PodInfo pod = t.emitPod;
            if (!t.ipv6 || pod == null) {
                continue;
            }
            ChainTotals v4 = null;
            for (String ip : pod.ips()) {
                Integer a = ChainNames.parseIpv4(ip);
                if (a != null) {
                    v4 = chains.get(names.podChain(t.direction, a));
                    break;
                }
            }
            if (v4 == null || v4.emitPod != pod) {
                continue;
            }
            for (int i = 0; i < CLASSES.length; i++) {
                if ((t.present & (1 << i)) != 0) {
                    v4.extraPackets[i] += t.packets[i];
                    v4.extraBytes[i] += t.bytes[i];
                    v4.extraPresent |= 1 << i;
                }
            }
            t.emitPod = null;
        }
    }

    /** The IPv6 address (as ip6tables prints it) behind each IPv6 pod chain name of the metadata's pods. */
    private void refreshIpv6(ClusterMetadata metadata) {
        if (metadata == ipv6Metadata && metadata.generation() == ipv6Generation) {
            return;
        }
        Map<String, String> byChain = new HashMap<>();
        for (PodInfo p : metadata.localPods()) {
            for (String ip : p.ips()) {
                byte[] v6 = ChainNames.parseIpv6(ip);
                if (v6 != null) {
                    for (Direction d : Direction.values()) {
                        byChain.putIfAbsent(names.podChain6(d, v6), ip);
                    }
                    break;
                }
            }
        }
        ipv6ByChain = byChain;
        ipv6Metadata = metadata;
        ipv6Generation = metadata.generation();
    }

    /** Whether the chain was made for this pod, remembered while the pod and the comment String stay the same. */
    private static boolean isFor(ChainTotals t, PodInfo pod) {
        if (t.checkedPod != pod || t.checkedComment != t.comment) {
            t.checkedPod = pod;
            t.checkedComment = t.comment;
            t.isForCheckedPod = RuleComment.isFor(t.comment, RuleComment.podKey(pod.namespace(), pod.name()));
        }
        return t.isForCheckedPod;
    }

    /** Kernel counters are unsigned 64-bit. */
    static double unsigned(long v) {
        return v >= 0 ? v : ((v >>> 1) | (v & 1)) * 2.0;
    }

    private static Labels labels(String metric, PodInfo pod, String node, String zone, Direction d, TrafficClass c) {
        return Labels.builder(metric)
                .add("namespace", pod.namespace())
                .add("pod", pod.name())
                .add("node", node)
                .add("zone", zone)
                .add("workload", pod.workload())
                .add("workload_kind", pod.workloadKind())
                .add("direction", d.label())
                .add("class", c.label())
                .build();
    }
}
