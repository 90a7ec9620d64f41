package dev.netcost.cadvisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a process of a pod from its UID through the kubelet's cgroup layout under a cgroup root:
 * cgroup v2 or v1 (where each controller is a hierarchy below the root), with the systemd driver
 * ({@code kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid with _>.slice/...}) or
 * the cgroupfs driver ({@code kubepods/burstable/pod<uid>/...}), any QoS class.
 */
final class CgroupPodLocator {
    private static final String[] QOS = {"", "burstable", "besteffort"};

    private final Path cgroupRoot;
    private List<Path> hierarchies;

    CgroupPodLocator(Path cgroupRoot) {
        this.cgroupRoot = cgroupRoot;
    }

    /** A PID in the pod's cgroup, or -1 when none is found (pod not started, or another layout). */
    int findPid(String uid) {
        if (uid.isEmpty()) {
            return -1;
        }
        for (Path h : hierarchies()) {
            for (String rel : candidates(uid)) {
                Path dir = h.resolve(rel);
                if (Files.isDirectory(dir)) {
                    int pid = firstPid(dir, 2);
                    if (pid > 0) {
                        return pid;
                    }
                }
            }
        }
        return -1;
    }

    /** Whether {@code cgroupFileText} (a {@code /proc/<pid>/cgroup}) places the process in pod {@code uid}. */
    static boolean belongsTo(String cgroupFileText, String uid) {
        return cgroupFileText.contains("pod" + uid) || cgroupFileText.contains("pod" + uid.replace('-', '_'));
    }

    static List<String> candidates(String uid) {
        String systemdUid = uid.replace('-', '_');
        List<String> out = new ArrayList<>(6);
        for (String qos : QOS) {
            if (qos.isEmpty()) {
                out.add("kubepods.slice/kubepods-pod" + systemdUid + ".slice");
                out.add("kubepods/pod" + uid);
            } else {
                out.add("kubepods.slice/kubepods-" + qos + ".slice/kubepods-" + qos + "-pod" + systemdUid + ".slice");
                out.add("kubepods/" + qos + "/pod" + uid);
            }
        }
        return out;
    }

    /** The root itself (v2) and every directory directly below it (v1 controllers, v2 hybrid 'unified'). */
    private List<Path> hierarchies() {
        if (hierarchies == null) {
            List<Path> out = new ArrayList<>();
            out.add(cgroupRoot);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(cgroupRoot)) {
                for (Path p : ds) {
                    if (Files.isDirectory(p) && !p.getFileName().toString().startsWith("kubepods")) {
                        out.add(p);
                    }
                }
            } catch (IOException e) {
                // no cgroup root: every lookup finds nothing, which the reader reports
            }
            hierarchies = out;
        }
        return hierarchies;
    }

    /** The first PID in {@code dir}'s cgroup.procs, else in its sub-cgroups down to {@code depth}. */
    private static int firstPid(Path dir, int depth) {
        int pid = readFirstPid(dir.resolve("cgroup.procs"));
        if (pid > 0 || depth == 0) {
            return pid;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path child : ds) {
                pid = firstPid(child, depth - 1);
                if (pid > 0) {
                    return pid;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static int readFirstPid(Path procs) {
        try {
            byte[] b = Files.readAllBytes(procs);
            int v = 0;
            int i = 0;
            while (i < b.length && b[i] >= '0' && b[i] <= '9') {
                v = v * 10 + (b[i] - '0');
                i++;
            }
            return i > 0 ? v : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }
}
