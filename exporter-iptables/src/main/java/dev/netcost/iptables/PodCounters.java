package dev.netcost.iptables;

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
 */
final class PodCounters implements CounterSink {
    static final String BYTES = "netcost_pod_network_bytes_total";
    static final String PACKETS = "netcost_pod_network_packets_total";

    private static final TrafficClass[] CLASSES = TrafficClass.values();

    private final ChainNames names;
    private final Map<String, ChainTotals> chains = new HashMap<>();
    private int round;
    private String lastChain;
    private ChainTotals lastTotals;

    PodCounters(ChainNames names) {
        this.names = names;
    }

    private static final class ChainTotals {
        final Direction direction;
        final String ip;
        int round;
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

        ChainTotals(Direction direction, String ip) {
            this.direction = direction;
            this.ip = ip;
        }
    }

    /** Starts a new read. */
    void begin() {
        round++;
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
            t = new ChainTotals(names.direction(chain), ChainNames.ipv4ToString(names.ipv4(chain)));
            chains.put(chain, t);
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
        for (Iterator<ChainTotals> it = chains.values().iterator(); it.hasNext(); ) {
            ChainTotals t = it.next();
            if (t.round != round) {
                it.remove();
                continue;
            }
            PodInfo pod = metadata.localPodByIp(t.ip);
            if (t.present == 0 || pod == null || pod.hostNetwork() || !isFor(t, pod)) {
                continue;
            }
            if (t.labelledPod != pod || !zone.equals(t.labelledZone) || !node.equals(t.labelledNode)) {
                Arrays.fill(t.labels, null);
                t.labelledPod = pod;
                t.labelledZone = zone;
                t.labelledNode = node;
            }
            for (int i = 0; i < CLASSES.length; i++) {
                if ((t.present & (1 << i)) == 0) {
                    continue;
                }
                if (t.labels[2 * i] == null) {
                    t.labels[2 * i] = labels(BYTES, pod, node, zone, t.direction, CLASSES[i]);
                    t.labels[2 * i + 1] = labels(PACKETS, pod, node, zone, t.direction, CLASSES[i]);
                }
                out.accept(t.labels[2 * i], unsigned(t.bytes[i]));
                out.accept(t.labels[2 * i + 1], unsigned(t.packets[i]));
            }
        }
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
