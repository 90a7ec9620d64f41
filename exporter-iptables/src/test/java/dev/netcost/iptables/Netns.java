package dev.netcost.iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace a test creates and always deletes: on close, and from a JVM shutdown hook for
 * a test that dies first. Every command runs inside it through {@code ip netns exec}; nothing here
 * touches the host namespace.
 */
final class Netns implements AutoCloseable {
    private static final String PREFIX = "nct" + ProcessHandle.current().pid() + "-";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Set<Netns> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Netns::close), "netns-cleanup"));
    }

    private final String name;
    private final List<Process> processes = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    static Netns create(String role) {
        Netns ns = new Netns(PREFIX + SEQ.incrementAndGet() + "-" + role);
        host("ip", "netns", "add", ns.name);
        LIVE.add(ns);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    String name() {
        return name;
    }

    Path path() {
        return Path.of("/run/netns", name);
    }

    /** Runs a command in this namespace, fails the test when it fails, returns stdout. */
    String exec(String... argv) {
        return run(null, argv);
    }

    String execWithInput(String stdin, String... argv) {
        return run(stdin, argv);
    }

    private String run(String stdin, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(argv));
        return runCommand(cmd, stdin);
    }

    /** Starts a command in this namespace in the background; it is killed on close. */
    synchronized Process spawn(String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
        cmd.addAll(List.of(argv));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            processes.add(p);
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd, e);
        }
    }

    static String host(String... argv) {
        return runCommand(List.of(argv), null);
    }

    private static String runCommand(List<String> cmd, String stdin) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd + " did not finish");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(cmd + " exited with " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        }
    }

    /** A veth pair between two namespaces. */
    static void veth(Netns a, String ifA, Netns b, String ifB) {
        a.exec("ip", "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", b.name);
        a.exec("ip", "link", "set", ifA, "up");
        b.exec("ip", "link", "set", ifB, "up");
    }

    @Override
    public synchronized void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        processes.clear();
        if (LIVE.remove(this)) {
            try {
                host("ip", "netns", "del", name);
            } catch (IllegalStateException e) {
                System.err.println("could not delete network namespace " + name + ": " + e.getMessage());
            }
        }
    }
}
