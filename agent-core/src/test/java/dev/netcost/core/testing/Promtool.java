package dev.netcost.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own linter, {@code promtool check metrics}, run as a real process. promtool must be on
 * the PATH (Debian: {@code apt-get install prometheus}); without it this throws, it never skips.
 */
public final class Promtool {
    /** @param exitCode 0 when the exposition is clean; @param output what promtool printed */
    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
        Path file = Files.createTempFile("netcost-metrics", ".txt");
        try {
            Files.writeString(file, exposition, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(binary(), "check", "metrics")
                    .redirectInput(file.toFile()).redirectErrorStream(true).start();
            String output;
            try {
                output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            return new Result(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("promtool is not on the PATH (" + System.getenv("PATH") + "); install"
                + " Prometheus' tools, e.g. 'apt-get install prometheus' on Debian/Ubuntu");
    }
}
