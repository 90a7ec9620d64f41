package dev.netcost.cadvisor;

import dev.netcost.core.config.StaticPod;
import dev.netcost.core.k8s.ClusterMetadata;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.spi.SourceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The procfs source: what cAdvisor does, done directly. For each local pod it finds one process
 * (through the pod UID in the cgroup tree, or the static {@code pods[].pid} / {@code pods[].netns}),
 * skips it when it shares the host's network namespace, and reads {@code <procRoot>/<pid>/net/dev},
 * which the kernel answers for that process's namespace. The PID is kept while it stays valid.
 */
final class ProcfsNetworkReader {
    private static final Logger LOG = LoggerFactory.getLogger(ProcfsNetworkReader.class);
    private static final NetworkFamily[] FAMILIES = NetworkFamily.all();

    private final Path procRoot;
    private final ClusterMetadata metadata;
    private final Map<String, StaticPod> staticPods = new HashMap<>();
    private final PodSeriesLabels labels;
    private final CgroupPodLocator cgroups;
    private final NetDevParser netDev = new NetDevParser();
    private final Map<String, Located> located = new HashMap<>();
    private final Set<String> reportedMissing = new HashSet<>();
    private final Set<String> seenNetns = new HashSet<>();
    private final ByteBuf buffer = new ByteBuf(4096);
    /** The eight label sets of each pod and interface, reused while the metadata index is unchanged. */
    private final Map<String, Labels[]> series = new HashMap<>();
    private long generation = Long.MIN_VALUE;

    /** A pod's process and how it was found, to re-check it cheaply next round. */
    private record Located(int pid, String uid, String netnsLink) {
    }

    ProcfsNetworkReader(Path procRoot, Path cgroupRoot, ClusterMetadata metadata, List<StaticPod> staticPods,
            PodSeriesLabels labels) {
        this.procRoot = procRoot;
        this.metadata = metadata;
        this.labels = labels;
        this.cgroups = new CgroupPodLocator(cgroupRoot);
        for (StaticPod p : staticPods) {
            this.staticPods.put(key(p.namespace(), p.name()), p);
        }
    }

    /** Emits every local pod's counters; returns the number of malformed net/dev lines. */
    int collect(SampleConsumer out) throws IOException, SourceUnavailableException {
        String hostNetns = netnsLink(procRoot.resolve("self"));
        if (hostNetns == null) {
            throw new SourceUnavailableException("cannot read " + procRoot.resolve("self/ns/net") + "; possible fixes:"
                    + " set cadvisor.procRoot to the host's /proc (the agent needs hostPID and hostNetwork for the"
                    + " procfs source)");
        }
        int malformed = 0;
        if (metadata.generation() != generation || series.size() > 4 * metadata.localPods().size() + 64) {
            series.clear(); // workloads may have changed, or pods have come and gone
            generation = metadata.generation();
        }
        Set<String> current = new HashSet<>();
        seenNetns.clear();
        for (PodInfo pod : metadata.localPods()) {
            if (pod.hostNetwork()) {
                continue;
            }
            String key = key(pod.namespace(), pod.name());
            current.add(key);
            Located loc = locate(key, pod);
            if (loc == null) {
                if (reportedMissing.add(key)) {
                    LOG.debug("procfs: no process found for pod {} (not started yet, or its cgroup layout is not a"
                            + " kubelet one under cadvisor.cgroupRoot)", key);
                }
                continue;
            }
            reportedMissing.remove(key);
            Path proc = procRoot.resolve(Integer.toString(loc.pid()));
            String ns = loc.netnsLink() != null ? loc.netnsLink() : netnsLink(proc);
            if (ns == null || ns.equals(hostNetns) || !seenNetns.add(ns)) {
                continue; // gone meanwhile, on the host's network, or a namespace already reported
            }
            if (!read(proc.resolve("net/dev"))) {
                located.remove(key);
                continue;
            }
            malformed += netDev.parse(buffer.bytes(), buffer.length(), (iface, counters) -> {
                Labels[] sets = series.computeIfAbsent(key + "/" + iface, k -> {
                    Labels[] l = new Labels[FAMILIES.length];
                    for (NetworkFamily f : FAMILIES) {
                        l[f.ordinal()] = labels.builder(f, pod.namespace(), pod.name())
                                .add(PodSeriesLabels.INTERFACE, iface).build();
                    }
                    return l;
                });
                for (NetworkFamily f : FAMILIES) {
                    out.accept(sets[f.ordinal()], counters[f.netDevColumn()]);
                }
            });
        }
        located.keySet().retainAll(current);
        reportedMissing.retainAll(current);
        return malformed;
    }

    /** The pod's process: the cached one while it is still the pod's, else a fresh lookup. */
    private Located locate(String key, PodInfo pod) throws IOException {
        Located loc = located.get(key);
        if (loc != null && stillValid(loc)) {
            return loc;
        }
        loc = null;
        StaticPod sp = staticPods.get(key);
        if (sp != null && sp.pid() > 0) {
            loc = new Located(sp.pid(), "", null);
        } else if (sp != null && sp.netns() != null) {
            String link = "net:[" + Files.getAttribute(sp.netns(), "unix:ino") + "]";
            int pid = findPidInNetns(link);
            loc = pid > 0 ? new Located(pid, "", link) : null;
        } else if (!pod.uid().isEmpty()) {
            int pid = cgroups.findPid(pod.uid());
            loc = pid > 0 ? new Located(pid, pod.uid(), null) : null;
        }
        if (loc == null) {
            located.remove(key);
        } else {
            located.put(key, loc);
        }
        return loc;
    }

    private boolean stillValid(Located loc) {
        Path proc = procRoot.resolve(Integer.toString(loc.pid()));
        if (loc.netnsLink() != null) {
            return loc.netnsLink().equals(netnsLink(proc));
        }
        if (!loc.uid().isEmpty()) {
            try {
                return CgroupPodLocator.belongsTo(CgroupPodLocator.read(proc.resolve("cgroup")), loc.uid());
            } catch (IOException e) {
                return false;
            }
        }
        return Files.isDirectory(proc);
    }

    /** Some process whose network namespace is {@code link}, by scanning procRoot; -1 when none. */
    private int findPidInNetns(String link) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(procRoot)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && link.equals(netnsLink(p))) {
                    return Integer.parseInt(name);
                }
            }
        }
        return -1;
    }

    /** The target of {@code <proc>/ns/net}, e.g. {@code net:[4026531840]}, or null when unreadable. */
    private static String netnsLink(Path proc) {
        try {
            return Files.readSymbolicLink(proc.resolve("ns/net")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Reads a whole (size-less) proc file into {@link #buffer}; false when it is gone. */
    private boolean read(Path file) {
        buffer.clear();
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                buffer.ensureCapacity(buffer.length() + 4096L, Integer.MAX_VALUE - 16);
                int n = in.read(buffer.bytes(), buffer.length(), buffer.capacity() - buffer.length());
                if (n < 0) {
                    return true;
                }
                buffer.setLength(buffer.length() + n);
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
