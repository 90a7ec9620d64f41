package dev.netcost.core.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own tool, run as a real process: {@code check metrics}, {@code check rules} and
 * {@code test rules}. promtool must be on the PATH (Debian: {@code apt-get install prometheus});
 * without it this throws, it never skips.
 */
public final class Promtool {
    /** @param exitCode 0 when promtool found nothing wrong; @param output what promtool printed */
    public record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    public static Result checkMetrics(String exposition) throws IOException, InterruptedException {
        Path file = Files.createTempFile("netcost-metrics", ".txt");
        try {
            Files.writeString(file, exposition, StandardCharsets.UTF_8);
            return run(new ProcessBuilder(binary(), "check", "metrics").redirectInput(file.toFile()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** {@code promtool check rules FILE}: the rule file parses, every expression is valid PromQL. */
    public static Result checkRules(Path ruleFile) throws IOException, InterruptedException {
        return run(new ProcessBuilder(binary(), "check", "rules", ruleFile.toString()));
    }

    /**
     * {@code promtool test rules FILE}: the unit tests in {@code testFile}, run from its directory so
     * that its {@code rule_files} resolve as they do by hand.
     */
    public static Result testRules(Path testFile) throws IOException, InterruptedException {
        Path abs = testFile.toAbsolutePath();
        return run(new ProcessBuilder(binary(), "test", "rules", abs.getFileName().toString())
                .directory(abs.getParent().toFile()));
    }

    private static Result run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        return new Result(p.exitValue(), output);
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
