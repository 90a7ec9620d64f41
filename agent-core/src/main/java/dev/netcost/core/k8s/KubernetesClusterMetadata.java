package dev.netcost.core.k8s;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.KubernetesConfig;
import dev.netcost.core.log.ThrottledLogger;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster metadata from the Kubernetes API through three fabric8 informers: this node's pods (field
 * selector {@code spec.nodeName}), every node (zone, internal IPs, pod CIDRs) and every
 * {@code discovery.k8s.io/v1} EndpointSlice (each serving pod's IP with its zone and node). Events are
 * reduced at once to small records; the informers keep only keys (see {@link KeyOnlyItemStore}).
 * With {@code aws.enabled}, a fourth informer watches the one ConfigMap the webhook publishes discovered
 * load balancers in (merged with {@code loadBalancers[]}, static entries winning), and a
 * {@link NetworkLayoutSource} adds learnt subnets and VPC ranges to {@code classification}.
 *
 * <p>Readers see an immutable snapshot (pods by name and IP, a {@link TrafficClassifier}) rebuilt off
 * the hot path on one background thread, shortly after changes, and swapped in whole. When the API is
 * unreachable the last snapshot stays in use and {@code netcost.agent.metadata.staleness} grows; the
 * informers relist by themselves after a lost watch (410 Gone, connection reset).
 */
public final class KubernetesClusterMetadata implements ClusterMetadata {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesClusterMetadata.class);
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    static final String LEGACY_ZONE_LABEL = "failure-domain.beta.kubernetes.io/zone";
    static final String REGION_LABEL = "topology.kubernetes.io/region";
    static final String ZONE_ID_LABEL = "topology.k8s.aws/zone-id";
    static final String INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type";
    static final String LEGACY_INSTANCE_TYPE_LABEL = "beta.kubernetes.io/instance-type";

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final AgentConfig config;
    private final String nodeName;
    private final Clock clock;
    private final Duration rebuildDelay;
    private final ThrottledLogger throttled;
    private final ScheduledExecutorService executor;

    private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();
    private final Map<String, NodeEntry> nodes = new ConcurrentHashMap<>();
    private final Map<String, List<EndpointEntry>> slices = new ConcurrentHashMap<>();
    private final AtomicBoolean rebuildScheduled = new AtomicBoolean();
    private final AtomicLong generation = new AtomicLong();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final NetworkLayoutSource layout;
    private final NodeInfo staticNode;
    private SharedIndexInformer<ConfigMap> loadBalancerInformer;
    private volatile NodeInfo selfNode = NodeInfo.UNKNOWN;
    private volatile List<LoadBalancer> discovered = List.of();
    private volatile Snapshot snapshot;
    private volatile long lastCurrentMillis;
    private volatile boolean started;

    private KubernetesClusterMetadata(Builder b) {
        this.ownsClient = b.client == null;
        this.client = b.client == null ? new KubernetesClientBuilder().build() : b.client;
        this.config = b.config;
        this.nodeName = b.config.nodeName();
        this.clock = b.clock;
        this.rebuildDelay = b.rebuildDelay;
        this.layout = b.layout;
        this.staticNode = StaticClusterMetadata.staticNode(b.config);
        this.throttled = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netcost-metadata");
            t.setDaemon(true);
            return t;
        });
        this.lastCurrentMillis = clock.millis();
        this.snapshot = build(false);
        if (b.meters != null) {
            Gauge.builder("netcost.agent.metadata.staleness", this, KubernetesClusterMetadata::stalenessSeconds)
                    .description("Seconds since the Kubernetes metadata was last known to be current: 0 while every"
                            + " informer watch is open, growing while the API server cannot be watched")
                    .baseUnit("seconds").register(b.meters);
            Gauge.builder("netcost.agent.metadata.synced", this, m -> m.hasSynced() ? 1 : 0)
                    .description("1 once pods, nodes and EndpointSlices have been listed and indexed")
                    .register(b.meters);
            Gauge.builder("netcost.agent.metadata.entries", this, m -> m.snapshot.classifier().exactEntries())
                    .description("Exact addresses in the traffic classifier (pod, node and endpoint IPs not already"
                            + " covered by a prefix of the same class)")
                    .register(b.meters);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the informers and returns at once; {@link #hasSynced()} says when the first lists are in. */
    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        informers.add(inform(client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0),
                Pod::new, new Handler<>(this::podChanged, this::podDeleted)));
        informers.add(inform(client.nodes().runnableInformer(0), Node::new,
                new Handler<>(this::nodeChanged, n -> {
                    nodes.remove(n.getMetadata().getName());
                    if (nodeName.equals(n.getMetadata().getName())) {
                        selfNode = NodeInfo.UNKNOWN;
                    }
                })));
        informers.add(inform(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0),
                EndpointSlice::new, new Handler<>(this::sliceChanged, s -> slices.remove(Cache.metaNamespaceKeyFunc(s)))));
        if (config.aws().enabled() && !config.aws().loadBalancerConfigMap().isEmpty()) {
            watchLoadBalancers();
        }
        layout.onChange(this::scheduleRebuild);
        scheduleRebuild(); // the layout may have changed since construction
        executor.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        LOG.info("watching pods on node '{}', nodes and EndpointSlices through the Kubernetes API at {}", nodeName,
                client.getMasterUrl());
    }

    /**
     * Watches the one ConfigMap the webhook leader publishes discovered load balancers in (a field
     * selector on its name, so RBAC can be narrowed to it with resourceNames). Not part of readiness:
     * a missing ConfigMap or permission leaves the static {@code loadBalancers[]} in use.
     */
    private void watchLoadBalancers() {
        String ns = config.aws().loadBalancerConfigMapNamespace().isEmpty() ? client.getNamespace()
                : config.aws().loadBalancerConfigMapNamespace();
        String name = config.aws().loadBalancerConfigMap();
        if (ns == null || ns.isEmpty()) {
            LOG.warn("not watching the load-balancer ConfigMap '{}': no namespace (possible fixes: set"
                    + " aws.loadBalancerConfigMapNamespace)", name);
            return;
        }
        loadBalancerInformer = inform(client.configMaps().inNamespace(ns).withField("metadata.name", name)
                .runnableInformer(0), ConfigMap::new, new Handler<>(this::loadBalancersChanged, c -> {
                    if (!name.equals(c.getMetadata().getName())) {
                        return;
                    }
                    discovered = List.of();
                    LOG.info("load-balancer ConfigMap {}/{} deleted: only the configured loadBalancers[] remain",
                            ns, name);
                }));
        LOG.info("watching ConfigMap {}/{} for the load balancers the webhook discovers", ns, name);
    }

    private void loadBalancersChanged(ConfigMap cm) {
        if (!config.aws().loadBalancerConfigMap().equals(cm.getMetadata().getName())) {
            return; // the field selector's job; a server that ignores it must not feed other ConfigMaps in
        }
        if (cm.getData() == null || cm.getData().isEmpty()) {
            discovered = List.of(); // created empty by the chart; the webhook leader fills it
            return;
        }
        LoadBalancerConfigMap.Contents c;
        try {
            c = LoadBalancerConfigMap.decode(cm.getData());
        } catch (IllegalArgumentException e) {
            throttled.warn("lb-configmap", "ignoring ConfigMap {}/{}: {}; the last good load-balancer list stays in use",
                    cm.getMetadata().getNamespace(), cm.getMetadata().getName(), e.getMessage());
            return;
        }
        List<LoadBalancer> next = LoadBalancerConfigMap.sorted(c.loadBalancers());
        if (!next.equals(discovered)) {
            discovered = next;
            LOG.info("load-balancer ConfigMap (discovered {}): {} load balancers, {} addresses", c.updated(), next.size(),
                    next.stream().mapToInt(lb -> lb.addresses().size()).sum());
        }
    }

    private <T extends HasMetadata> SharedIndexInformer<T> inform(SharedIndexInformer<T> informer, Supplier<T> skeleton,
                                                                  Handler<T> handler) {
        String kind = informer.getApiTypeClass().getSimpleName();
        informer.itemStore(new KeyOnlyItemStore<>(skeleton));
        informer.addEventHandler(handler);
        informer.exceptionHandler(new RetryForever(kind));
        informer.start().whenComplete((v, e) -> {
            if (e != null) {
                throttled.warn("start-" + kind, "cannot list {} yet: {} (retrying; possible fixes: check the API server is"
                        + " reachable and the service account may list and watch {}, see docs/rbac.md)", kind,
                        e.toString(), kind);
            }
        });
        return informer;
    }

    /** Keeps an informer retrying (with fabric8's backoff) whatever the error, so the API being down never stops it. */
    private final class RetryForever implements ExceptionHandler {
        private final String kind;

        RetryForever(String kind) {
            this.kind = kind;
        }

        @Override
        public boolean retryAfterException(boolean isStarted, Throwable t) {
            throttled.warn("watch-" + kind, "lost the {} watch: {} (relisting with backoff; the last known metadata stays"
                    + " in use; possible fixes: check the API server and docs/rbac.md)", kind, t.toString());
            return true;
        }
    }

    /** Routes informer events to reduce-and-store functions and schedules a rebuild. */
    private final class Handler<T> implements ResourceEventHandler<T> {
        private final java.util.function.Consumer<T> changed;
        private final java.util.function.Consumer<T> deleted;

        Handler(java.util.function.Consumer<T> changed, java.util.function.Consumer<T> deleted) {
            this.changed = changed;
            this.deleted = deleted;
        }

        @Override
        public void onAdd(T obj) {
            apply(changed, obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            apply(changed, newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            apply(deleted, obj);
        }

        @Override
        public void onList(String resourceVersion, boolean initial) {
            markCurrentIfWatching();
            scheduleRebuild();
        }

        private void apply(java.util.function.Consumer<T> action, T obj) {
            try {
                action.accept(obj);
            } catch (RuntimeException e) {
                throttled.warn("event", "skipped a malformed {} event: {}", obj.getClass().getSimpleName(), e.toString());
            }
            markCurrentIfWatching();
            scheduleRebuild();
        }
    }

    // ---- reduction: fabric8 objects are read once here and never kept

    private void podChanged(Pod pod) {
        String key = Cache.metaNamespaceKeyFunc(pod);
        // The API honours the field selector; this check keeps a misbehaving (or mock) server from
        // putting another node's pods into the local index.
        if (pod.getSpec() == null || !nodeName.equals(pod.getSpec().getNodeName())) {
            pods.remove(key);
            return;
        }
        pods.put(key, reducePod(pod, nodeName, clock));
    }

    private void podDeleted(Pod pod) {
        pods.remove(Cache.metaNamespaceKeyFunc(pod));
    }

    /** A pod reduced to what netcost keeps; terminated pods may share an IP with a new pod. */
    record LocalPod(PodInfo info, boolean terminated) {
    }

    static LocalPod reducePod(Pod pod, String nodeName, Clock clock) {
        var meta = pod.getMetadata();
        Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
        OwnerReference owner = null;
        if (meta.getOwnerReferences() != null) {
            for (OwnerReference o : meta.getOwnerReferences()) {
                if (Boolean.TRUE.equals(o.getController())) {
                    owner = o;
                    break;
                }
                if (owner == null) {
                    owner = o;
                }
            }
        }
        WorkloadResolver.Workload w = WorkloadResolver.resolve(meta.getName(), labels,
                owner == null ? null : owner.getKind(), owner == null ? null : owner.getName(), nodeName, clock.instant());
        Set<String> ips = new LinkedHashSet<>();
        if (pod.getStatus() != null) {
            if (pod.getStatus().getPodIPs() != null) {
                for (PodIP ip : pod.getStatus().getPodIPs()) {
                    if (ip.getIp() != null && !ip.getIp().isEmpty()) {
                        ips.add(ip.getIp());
                    }
                }
            }
            if (ips.isEmpty() && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) {
                ips.add(pod.getStatus().getPodIP());
            }
        }
        boolean hostNetwork = pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        PodInfo info = new PodInfo(meta.getNamespace(), meta.getName(), meta.getUid(), List.copyOf(ips), hostNetwork,
                labels, w.name(), w.kind());
        return new LocalPod(info, "Succeeded".equals(phase) || "Failed".equals(phase));
    }

    /** A node reduced to its zone, internal IPs and pod CIDRs. */
    record NodeEntry(String zone, List<byte[]> internalIps, List<Cidr> podCidrs) {
    }

    private void nodeChanged(Node node) {
        nodes.put(node.getMetadata().getName(), reduceNode(node));
        if (nodeName.equals(node.getMetadata().getName())) {
            selfNode = nodeInfo(node);
        }
    }

    /**
     * This node's facts from its Node object: {@code spec.providerID} ({@code aws:///<zone>/<instance-id>})
     * and the well-known labels (zone, region, instance type, and on EKS {@code topology.k8s.aws/zone-id}).
     */
    static NodeInfo nodeInfo(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        String zone = labels.getOrDefault(ZONE_LABEL, labels.getOrDefault(LEGACY_ZONE_LABEL, ""));
        String instanceId = "";
        String provider = node.getSpec() == null ? null : node.getSpec().getProviderID();
        if (provider != null && provider.startsWith("aws://")) {
            String[] parts = provider.substring("aws://".length()).split("/");
            // aws:///us-east-2a/i-0abc...: "", "", "us-east-2a", "i-0abc..." (the zone part may be empty)
            if (parts.length >= 2 && parts[parts.length - 1].startsWith("i-")) {
                instanceId = parts[parts.length - 1];
                if (zone.isEmpty() && parts.length >= 3) {
                    zone = parts[parts.length - 2];
                }
            }
        }
        String type = labels.getOrDefault(INSTANCE_TYPE_LABEL, labels.getOrDefault(LEGACY_INSTANCE_TYPE_LABEL, ""));
        return new NodeInfo(node.getMetadata().getName(), zone, labels.getOrDefault(ZONE_ID_LABEL, ""),
                labels.getOrDefault(REGION_LABEL, ""), instanceId, type);
    }

    static NodeEntry reduceNode(Node node) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        String zone = labels.getOrDefault(ZONE_LABEL, labels.getOrDefault(LEGACY_ZONE_LABEL, ""));
        List<byte[]> ips = new ArrayList<>();
        if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
            for (NodeAddress a : node.getStatus().getAddresses()) {
                if ("InternalIP".equals(a.getType())) {
                    addLiteral(ips, a.getAddress());
                }
            }
        }
        List<Cidr> cidrs = new ArrayList<>();
        if (node.getSpec() != null) {
            List<String> texts = node.getSpec().getPodCIDRs() == null || node.getSpec().getPodCIDRs().isEmpty()
                    ? (node.getSpec().getPodCIDR() == null ? List.of() : List.of(node.getSpec().getPodCIDR()))
                    : node.getSpec().getPodCIDRs();
            for (String t : texts) {
                try {
                    cidrs.add(Cidr.parse(t));
                } catch (IllegalArgumentException e) {
                    // not an address range: ignore it, the node is still placed by its IPs
                }
            }
        }
        return new NodeEntry(zone, List.copyOf(ips), List.copyOf(cidrs));
    }

    /** One endpoint address of an EndpointSlice. */
    record EndpointEntry(byte[] address, String zone, String nodeName) {
    }

    private void sliceChanged(EndpointSlice slice) {
        slices.put(Cache.metaNamespaceKeyFunc(slice), reduceSlice(slice));
    }

    static List<EndpointEntry> reduceSlice(EndpointSlice slice) {
        if ("FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
            return List.of();
        }
        List<EndpointEntry> out = new ArrayList<>();
        for (Endpoint e : slice.getEndpoints()) {
            if (e.getAddresses() == null) {
                continue;
            }
            String zone = e.getZone() == null ? "" : e.getZone();
            String node = e.getNodeName() == null ? "" : e.getNodeName();
            List<byte[]> ips = new ArrayList<>();
            for (String a : e.getAddresses()) {
                addLiteral(ips, a);
            }
            for (byte[] ip : ips) {
                out.add(new EndpointEntry(ip, zone, node));
            }
        }
        return List.copyOf(out);
    }

    private static void addLiteral(List<byte[]> out, String ip) {
        if (ip == null) {
            return;
        }
        try {
            out.add(TrafficClassifier.literal(ip));
        } catch (IllegalArgumentException e) {
            // a host name or garbage: not an address netcost can match
        }
    }

    // ---- snapshots

    /** What readers see; replaced whole. */
    private record Snapshot(List<PodInfo> pods, Map<String, PodInfo> byName, Map<String, PodInfo> byIp,
                            TrafficClassifier classifier, String zone, boolean synced, List<LoadBalancer> loadBalancers,
                            NodeInfo node) {
    }

    private void scheduleRebuild() {
        if (rebuildScheduled.compareAndSet(false, true)) {
            try {
                executor.schedule(this::rebuild, rebuildDelay.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                rebuildScheduled.set(false); // closing
            }
        }
    }

    private void rebuild() {
        rebuildScheduled.set(false); // before reading, so a change arriving during the build schedules another
        try {
            snapshot = build(informersSynced());
            generation.incrementAndGet();
        } catch (RuntimeException e) {
            throttled.error("rebuild", "BUG: cannot rebuild the metadata index: {}", e.toString(), e);
        }
    }

    private Snapshot build(boolean synced) {
        NodeEntry self = nodes.get(nodeName);
        NetworkLayout learnt = layout.current();
        String zone = self != null && !self.zone().isEmpty() ? self.zone()
                : !config.zone().isEmpty() ? config.zone() : learnt.node().zone();
        List<PodInfo> list = new ArrayList<>();
        Map<String, PodInfo> byName = new HashMap<>();
        Map<String, PodInfo> byIp = new HashMap<>();
        TrafficClassifier.Builder cb = TrafficClassifier.builder().nodeZone(zone)
                .classification(config.classification().withLearned(learnt.zones(), learnt.vpc()));
        for (LocalPod lp : pods.values()) {
            PodInfo p = lp.info();
            list.add(p);
            byName.put(p.namespace() + "/" + p.name(), p);
        }
        // Running pods win an IP over terminated ones that still report it.
        for (boolean terminated : new boolean[] {true, false}) {
            for (LocalPod lp : pods.values()) {
                if (lp.terminated() == terminated && !lp.info().hostNetwork()) {
                    for (String ip : lp.info().ips()) {
                        byIp.put(ip, lp.info());
                        if (!terminated) {
                            cb.address(ip, zone, true);
                        }
                    }
                }
            }
        }
        list.sort(Comparator.comparing(PodInfo::namespace).thenComparing(PodInfo::name));
        for (Map.Entry<String, NodeEntry> e : nodes.entrySet()) {
            boolean thisNode = e.getKey().equals(nodeName);
            NodeEntry n = e.getValue();
            for (byte[] ip : n.internalIps()) {
                cb.address(ip, n.zone(), thisNode);
            }
            for (Cidr c : n.podCidrs()) {
                cb.zonePrefix(c, n.zone(), thisNode);
            }
        }
        for (List<EndpointEntry> endpoints : slices.values()) {
            for (EndpointEntry ep : endpoints) {
                String z = ep.zone();
                if (z.isEmpty() && !ep.nodeName().isEmpty()) {
                    NodeEntry n = nodes.get(ep.nodeName());
                    z = n == null ? "" : n.zone();
                }
                cb.address(ep.address(), z, ep.nodeName().equals(nodeName));
            }
        }
        List<LoadBalancer> loadBalancers = mergeLoadBalancers(config.loadBalancers(), discovered);
        for (LoadBalancer lb : loadBalancers) { // load_balancer beats whatever else claims the address
            cb.loadBalancer(lb);
        }
        NodeInfo node = new NodeInfo(nodeName, zone, "", "", "", "").orElse(selfNode).orElse(learnt.node())
                .orElse(staticNode);
        return new Snapshot(List.copyOf(list), Map.copyOf(byName), Map.copyOf(byIp), cb.build(), zone, synced,
                loadBalancers, node);
    }

    /** The configured load balancers, then the discovered ones whose name is not configured: static wins. */
    static List<LoadBalancer> mergeLoadBalancers(List<LoadBalancer> configured, List<LoadBalancer> discovered) {
        if (discovered.isEmpty()) {
            return configured;
        }
        Set<String> names = new java.util.HashSet<>();
        List<LoadBalancer> out = new ArrayList<>(configured);
        configured.forEach(lb -> names.add(lb.name()));
        for (LoadBalancer lb : discovered) {
            if (!names.contains(lb.name())) {
                out.add(lb);
            }
        }
        return List.copyOf(out);
    }

    private boolean informersSynced() {
        if (informers.isEmpty()) {
            return false;
        }
        for (SharedIndexInformer<?> i : informers) {
            if (!i.hasSynced()) {
                return false;
            }
        }
        return true;
    }

    private boolean allWatching() {
        if (informers.isEmpty()) {
            return false;
        }
        for (SharedIndexInformer<?> i : informers) {
            if (!i.isWatching()) {
                return false;
            }
        }
        return true;
    }

    private void markCurrentIfWatching() {
        if (allWatching()) {
            lastCurrentMillis = clock.millis();
        }
    }

    /** Once a second: notices a completed sync and keeps the staleness clock honest. */
    private void tick() {
        markCurrentIfWatching();
        if (!snapshot.synced() && informersSynced()) {
            scheduleRebuild();
        }
    }

    // ---- ClusterMetadata

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String nodeZone() {
        return snapshot.zone();
    }

    @Override
    public List<PodInfo> localPods() {
        return snapshot.pods();
    }

    @Override
    public PodInfo localPod(String namespace, String name) {
        return snapshot.byName().get(namespace + "/" + name);
    }

    @Override
    public PodInfo localPodByIp(String ip) {
        return snapshot.byIp().get(ip);
    }

    @Override
    public List<LoadBalancer> loadBalancers() {
        return snapshot.loadBalancers();
    }

    @Override
    public NodeInfo nodeInfo() {
        return snapshot.node();
    }

    @Override
    public TrafficClass classifyIpv4(int address) {
        return snapshot.classifier().classifyIpv4(address);
    }

    @Override
    public TrafficClass classifyIpv6(long high, long low) {
        return snapshot.classifier().classifyIpv6(high, low);
    }

    @Override
    public ClassificationSets classificationSets() {
        return snapshot.classifier().sets();
    }

    @Override
    public long generation() {
        return generation.get();
    }

    @Override
    public boolean hasSynced() {
        return snapshot.synced();
    }

    /**
     * Seconds since the metadata was last known to be current, i.e. since the last moment every informer
     * had an open watch (checked on each event, each relist, once a second and on each read): 0 in steady
     * state, growing from start-up until the first sync and while the API server cannot be watched.
     */
    @Override
    public double stalenessSeconds() {
        markCurrentIfWatching();
        return Math.max(0, clock.millis() - lastCurrentMillis) / 1000.0;
    }

    @Override
    public boolean agentRemovedFromNode() {
        KubernetesConfig k = config.kubernetes();
        return k.knowsOwnPod() && new UninstallDetector(client, k.podNamespace(), k.podName()).ownerDaemonSetRemoved();
    }

    @Override
    public synchronized void close() {
        for (SharedIndexInformer<?> i : informers) {
            i.close();
        }
        if (loadBalancerInformer != null) {
            loadBalancerInformer.close();
        }
        executor.shutdownNow();
        if (ownsClient) {
            client.close();
        }
    }

    public static final class Builder {
        private KubernetesClient client;
        private AgentConfig config;
        private MeterRegistry meters;
        private Clock clock = Clock.systemUTC();
        private Duration rebuildDelay = Duration.ofMillis(200);
        private NetworkLayoutSource layout = NetworkLayoutSource.NONE;

        private Builder() {
        }

        /** The client to use (closed by the caller); default: one from the in-cluster or kubeconfig setup, closed on close. */
        public Builder client(KubernetesClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** The agent config: {@code nodeName}, the fallback {@code zone} and {@code classification}. */
        public Builder config(AgentConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Where the staleness, synced and entries gauges go; none by default. */
        public Builder meters(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long changes are gathered before one rebuild of the index (default 200ms). */
        public Builder rebuildDelay(Duration delay) {
            if (delay.isNegative() || delay.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("rebuildDelay must be between 0 and 1m, got " + delay);
            }
            this.rebuildDelay = delay;
            return this;
        }

        /** Ranges and node facts learnt at run time (on EKS: {@code AwsLayoutRefresher}); default none. */
        public Builder layout(NetworkLayoutSource layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
            return this;
        }

        public KubernetesClusterMetadata build() {
            Objects.requireNonNull(config, "config");
            return new KubernetesClusterMetadata(this);
        }
    }
}
