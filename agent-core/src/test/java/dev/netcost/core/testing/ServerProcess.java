package dev.netcost.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server binary started for one test: its own temp directory (data + log), a loopback port, a
 * readiness probe. Stops only the process it started, through its {@link Process} handle.
 */
final class ServerProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_PAUSE = Duration.ofMillis(20);
    private static final int START_ATTEMPTS = 5;
    private static final int LOG_TAIL_LINES = 40;

    /** Builds the command line for one start attempt. */
    interface CommandLine {
        List<String> build(int port, Path tempDir) throws IOException;
    }

    private final String name;
    private final Process process;
    private final Path tempDir;
    private final Path logFile;
    private final int port;
    private final Duration startupTime;
    private final Thread shutdownHook;
    private boolean closed;

    private ServerProcess(String name, Process process, Path tempDir, Path log, int port, Duration startupTime) {
        this.name = name;
        this.process = process;
        this.tempDir = tempDir;
        this.logFile = log;
        this.port = port;
        this.startupTime = startupTime;
        // If the JVM dies before close() (e.g. a killed test fork), do not leave the server behind.
        this.shutdownHook = new Thread(process::destroyForcibly, name + "-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code binary}, retrying with a new port when the one picked was taken in the meantime,
     * and returns once {@code readyPath} answers 200.
     */
    static ServerProcess start(String name, Path binary, CommandLine commandLine, String readyPath) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(name + ": " + binary + " is not an executable file;"
                    + " possible fixes: install the Debian package that provides it");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return startOnce(name, binary, commandLine, readyPath, http);
            } catch (PortTakenException e) {
                failure = e;
            }
        }
        throw new IllegalStateException(name + ": no free port after " + START_ATTEMPTS + " attempts", failure);
    }

    private static ServerProcess startOnce(
            String name, Path binary, CommandLine commandLine, String readyPath, HttpClient http) {
        Path tempDir;
        try {
            tempDir = Files.createTempDirectory("netcost-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot create a temp directory", e);
        }
        Path log = tempDir.resolve(name + ".log");
        int port = FreePorts.loopbackPort();
        long started = System.nanoTime();
        Process process = null;
        boolean ready = false;
        try {
            List<String> command = new ArrayList<>();
            command.add(binary.toString());
            command.addAll(commandLine.build(port, tempDir));
            process = new ProcessBuilder(command)
                    .directory(tempDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            awaitReady(name, process, URI.create("http://127.0.0.1:" + port + readyPath), http);
            ready = true;
            Duration startupTime = Duration.ofNanos(System.nanoTime() - started);
            LOG.info("{} (pid {}) ready at http://127.0.0.1:{}/ after {} ms; log: {}",
                    name, process.pid(), port, startupTime.toMillis(), log);
            return new ServerProcess(name, process, tempDir, log, port, startupTime);
        } catch (IOException | RuntimeException e) {
            String tail = logTail(log);
            if (tail.toLowerCase(Locale.ROOT).contains("address already in use")) {
                throw new PortTakenException(name + ": port " + port + " was taken", e);
            }
            String message = e instanceof StartFailedException ? e.getMessage() : name + ": start failed: " + e;
            throw new IllegalStateException(message + "\n--- last " + LOG_TAIL_LINES + " lines of "
                    + log.getFileName() + " ---\n" + tail, e instanceof StartFailedException ? e.getCause() : e);
        } finally {
            if (!ready) {
                stop(process);
                deleteRecursively(tempDir);
            }
        }
    }

    private static void awaitReady(String name, Process process, URI ready, HttpClient http) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        HttpRequest request = HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build();
        String last = "no answer yet";
        while (true) {
            if (!process.isAlive()) {
                throw new StartFailedException(name + ": exited with status " + process.exitValue()
                        + " before " + ready + " answered 200", null);
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                // Best effort against a 200 from another server that took the port: ours then exits.
                if (response.statusCode() == 200 && process.isAlive()) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + Truncate.body(response.body());
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartFailedException(name + ": interrupted while waiting for " + ready, e);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new StartFailedException(name + ": " + ready + " did not answer 200 within "
                        + READY_TIMEOUT.toSeconds() + " s; last: " + last, null);
            }
            pause(POLL_PAUSE);
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    Path tempDir() {
        return tempDir;
    }

    Duration startupTime() {
        return startupTime;
    }

    /** The last lines of the server's combined stdout/stderr, for failure messages. */
    String logTail() {
        return logTail(logFile);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop(process);
            LOG.info("{} (pid {}) stopped, exit status {}", name, process.pid(),
                    process.isAlive() ? "unknown" : String.valueOf(process.exitValue()));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // JVM already shutting down; the hook runs anyway and is harmless.
            }
            deleteRecursively(tempDir);
        }
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String logTail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // Best effort: a leftover temp file must not fail the test that used the server.
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Best effort, as above.
        }
    }

    private static final class StartFailedException extends RuntimeException {
        StartFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final class PortTakenException extends IllegalStateException {
        PortTakenException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
