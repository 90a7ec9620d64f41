package dev.netcost.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Every process the demo starts, so that each is ended by its PID — and only those. Long-running ones
 * (Prometheus, the agents, the pods' servers) are started through {@code setsid}, in a session of their
 * own: Ctrl-C reaches the demo alone, which then stops them in order (agents first, so they remove
 * their rules) instead of all of them dying at once. Their output goes to a log file each.
 */
final class ChildProcesses implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(15);

    /** A started process and its log. */
    record Child(String name, Process process, Path log) {
        long pid() {
            return process.pid();
        }

        /** The last lines of its log, for an error message. */
        String tail(int lines) {
            try {
                List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }

    private final Path logs;
    private final List<Child> children = new ArrayList<>();
    private final List<Long> pids = new ArrayList<>();
    private boolean closed;

    ChildProcesses(Path logs) {
        this.logs = logs;
    }

    /** Starts {@code command} in a session of its own, output to {@code <logs>/<name>.log}. */
    synchronized Child start(String name, List<String> command, Map<String, String> env) {
        if (closed) {
            throw new DemoException("stopping: not starting " + name);
        }
        List<String> argv = new ArrayList<>();
        argv.add("setsid");
        argv.addAll(command);
        Path log = logs.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            Child c = new Child(name, p, log);
            children.add(c);
            pids.add(p.pid());
            return c;
        } catch (IOException e) {
            throw new DemoException("cannot start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    /** Stops one child: SIGTERM, then SIGKILL after {@code grace}. Returns its exit code (-1 if killed). */
    int stop(Child c, Duration grace) {
        Process p = c.process();
        if (p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return -1;
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return p.exitValue();
    }

    /** Every PID the demo started (for the check that none is left). */
    synchronized List<Long> pids() {
        return List.copyOf(pids);
    }

    /** Stops every child still running, the last started first. */
    @Override
    public void close() {
        List<Child> running;
        synchronized (this) {
            closed = true;
            running = new ArrayList<>(children);
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            stop(running.get(i), GRACE);
        }
    }

    /**
     * Runs a short command (ip, nft, openssl) to its end and returns its standard output; throws with
     * its error output when it fails.
     */
    static String run(List<String> command) {
        return run(command, "");
    }

    /** As {@link #run(List)}, with {@code stdin} as the command's standard input. */
    static String run(List<String> command, String stdin) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            // A command's messages are small: standard output to its end, then the errors.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new DemoException(String.join(" ", command) + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                throw new DemoException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + err.strip());
            }
            return out;
        } catch (IOException e) {
            throw new DemoException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted running " + String.join(" ", command), e);
        }
    }
}
