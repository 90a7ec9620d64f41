package dev.netcost.iptables;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A ClusterMetadata the tests set by hand; every change bumps the generation. */
final class TestMetadata implements ClusterMetadata {
    private final String node;
    private final String zone;
    private volatile List<PodInfo> pods = List.of();
    private volatile ClassificationSets sets = new ClassificationSets(List.of(), List.of(), List.of());
    private final AtomicLong generation = new AtomicLong(1);
    private volatile boolean synced = true;

    TestMetadata(String node, String zone) {
        this.node = node;
        this.zone = zone;
    }

    static PodInfo pod(String namespace, String name, String ip) {
        return new PodInfo(namespace, name, "uid-" + name, List.of(ip), false, Map.of(), name.replaceAll("-[0-9]+$", ""),
                "Deployment");
    }

    static List<Cidr> cidrs(String... texts) {
        return java.util.Arrays.stream(texts).map(Cidr::parse).toList();
    }

    TestMetadata pods(PodInfo... list) {
        this.pods = List.of(list);
        generation.incrementAndGet();
        return this;
    }

    TestMetadata sets(List<Cidr> same, List<Cidr> cross, List<Cidr> vpc) {
        this.sets = new ClassificationSets(same, cross, vpc);
        generation.incrementAndGet();
        return this;
    }

    TestMetadata synced(boolean value) {
        this.synced = value;
        return this;
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public String nodeZone() {
        return zone;
    }

    @Override
    public List<PodInfo> localPods() {
        return pods;
    }

    @Override
    public PodInfo localPod(String namespace, String name) {
        return pods.stream().filter(p -> p.namespace().equals(namespace) && p.name().equals(name)).findFirst().orElse(null);
    }

    @Override
    public PodInfo localPodByIp(String ip) {
        return pods.stream().filter(p -> !p.hostNetwork() && p.ips().contains(ip)).findFirst().orElse(null);
    }

    @Override
    public TrafficClass classifyIpv4(int address) {
        ClassificationSets s = sets;
        if (contains(s.sameZone(), address)) {
            return TrafficClass.SAME_ZONE;
        }
        if (contains(s.crossZone(), address)) {
            return TrafficClass.CROSS_ZONE;
        }
        return contains(s.inVpc(), address) ? TrafficClass.IN_VPC : TrafficClass.INTERNET;
    }

    private static boolean contains(List<Cidr> cidrs, int address) {
        for (Cidr c : cidrs) {
            if (c.isIpv4()) {
                int net = java.nio.ByteBuffer.wrap(c.address()).getInt();
                int mask = c.prefix() == 0 ? 0 : -1 << (32 - c.prefix());
                if ((address & mask) == net) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return TrafficClass.INTERNET;
    }

    @Override
    public ClassificationSets classificationSets() {
        return sets;
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public boolean hasSynced() {
        return synced;
    }

    @Override
    public void start() {
    }

    @Override
    public void close() {
    }
}
