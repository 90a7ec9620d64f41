package dev.netcost.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for one test, named {@code ncl<pid>-<role>} so that concurrent test JVMs never
 * collide; {@link #close()} (or the JVM's exit) ends the processes started in them and deletes them
 * all. Nothing runs in the host's namespace but {@code ip netns} and {@code ip link add ... netns}.
 */
final class NetnsLab implements AutoCloseable {
    private final String prefix = "ncl" + ProcessHandle.current().pid() + "-";
    private final Map<String, String> names = new LinkedHashMap<>();
    private final List<Process> background = new ArrayList<>();
    private final Thread onExit = new Thread(this::close, "netns-lab-cleanup");

    NetnsLab() {
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /** Creates the namespace {@code role} with its loopback up. */
    synchronized void add(String role) {
        String name = prefix + role;
        run(List.of("ip", "netns", "add", name));
        names.put(role, name);
        in(role, "ip", "link", "set", "lo", "up");
    }

    /** The namespace file, e.g. for {@code iptables.netns}. */
    Path path(String role) {
        return Path.of("/run/netns", names.get(role));
    }

    /** Runs {@code argv} inside {@code role}; fails when it fails; returns its output. */
    String in(String role, String... argv) {
        return run(within(role, argv));
    }

    /** Starts {@code argv} inside {@code role} in the background, until {@link #close()}. */
    synchronized Process spawn(String role, String... argv) throws IOException {
        Process p = new ProcessBuilder(within(role, argv)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        background.add(p);
        return p;
    }

    /**
     * A /24 between {@code node} and {@code pod}: the pod's eth0 gets {@code podIp}, the node's end
     * {@code gatewayIp}, which is the pod's default route.
     */
    void link(String node, String pod, String podIp, String gatewayIp) {
        String nodeIf = "v-" + pod;
        run(List.of("ip", "link", "add", nodeIf, "netns", names.get(node), "type", "veth", "peer", "name", "eth0",
                "netns", names.get(pod)));
        in(node, "ip", "addr", "add", gatewayIp + "/24", "dev", nodeIf);
        in(node, "ip", "link", "set", nodeIf, "up");
        in(pod, "ip", "addr", "add", podIp + "/24", "dev", "eth0");
        in(pod, "ip", "link", "set", "eth0", "up");
        in(pod, "ip", "route", "add", "default", "via", gatewayIp);
    }

    private List<String> within(String role, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", names.get(role)));
        cmd.addAll(List.of(argv));
        return cmd;
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }

    @Override
    public synchronized void close() {
        for (Process p : background) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        background.clear();
        for (String name : names.values()) {
            try {
                run(List.of("ip", "netns", "del", name));
            } catch (IllegalStateException e) {
                // already gone
            }
        }
        names.clear();
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook is running or about to
            }
        }
    }
}
