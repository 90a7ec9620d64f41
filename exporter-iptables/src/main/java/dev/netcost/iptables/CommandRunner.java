package dev.netcost.iptables;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the iptables programs, in another network namespace through {@code nsenter --net=FILE} when
 * one is configured, with a deadline, and never through a shell.
 */
final class CommandRunner {
    /** Stderr kept for messages. */
    private static final int MAX_STDERR = 1024;

    private final Path netns;
    private final String nsenter;
    private final Duration timeout;

    CommandRunner(Path netns, String nsenter, Duration timeout) {
        this.netns = netns;
        this.nsenter = nsenter;
        this.timeout = timeout;
    }

    /** What a finished program returned. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        String stdoutText() {
            return new String(stdout, StandardCharsets.ISO_8859_1);
        }
    }

    /** Thrown when the program does not exist (ENOENT): the source is absent, not broken. */
    static final class NotFoundException extends IOException {
        private static final long serialVersionUID = 1L;

        NotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** nsenter's exit code when it cannot execute the program (util-linux, like a shell's 127). */
    private static final int NSENTER_EXEC_FAILED = 127;

    Result run(List<String> argv, byte[] stdin) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.add(nsenter);
            cmd.add("--net=" + netns);
            cmd.add("--");
        }
        cmd.addAll(argv);
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new NotFoundException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        }
        try {
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // The program exited without reading all input; its exit code and stderr say why.
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException(String.join(" ", cmd) + " did not finish within " + timeout.toMillis() + " ms");
            }
            String stderr = new String(err.get(), StandardCharsets.UTF_8);
            if (stderr.length() > MAX_STDERR) {
                stderr = stderr.substring(0, MAX_STDERR) + "...";
            }
            if (netns != null && p.exitValue() == NSENTER_EXEC_FAILED && stderr.startsWith(nsenter + ": failed to execute")) {
                throw new NotFoundException("cannot run " + argv.get(0) + ": " + stderr.strip(), null);
            }
            return new Result(p.exitValue(), out.get(), stderr.strip());
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + cmd.get(0) + " failed", e.getCause());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Runs {@code argv} and returns its output, or throws with its stderr when it fails. */
    Result check(List<String> argv, byte[] stdin) throws IOException, InterruptedException {
        Result r = run(argv, stdin);
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", argv) + " exited with " + r.exitCode() + ": " + r.stderr());
        }
        return r;
    }

    private static CompletableFuture<byte[]> drain(InputStream s) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (s) {
                f.complete(s.readAllBytes());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        }, "netcost-iptables-output");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
