package dev.netcost.report;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The report's shaded jar run as the launcher runs it ({@code java -jar netcost-report.jar ...}), so
 * that what it finds in its environment (AWS credentials) and in the jar (the SDK modules that were
 * shaded in) is what a user gets.
 */
final class ReportJar {
    static final Path JAR = Path.of("target", "netcost-report.jar");
    private static final Duration LIMIT = Duration.ofMinutes(3);

    private ReportJar() {
    }

    /**
     * Runs the report to its end with {@code env} as the AWS part of its environment: every inherited
     * {@code AWS_*} variable is removed first, and {@code HOME} is {@code home}, so no AWS setup of the
     * machine's is ever read.
     */
    static ReportRun run(Path home, Map<String, String> env, List<String> args) throws IOException, InterruptedException {
        assertThat(JAR).as("the report's shaded jar (mvn package)").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        cmd.addAll(args);
        Path out = Files.createTempFile(home, "report", ".out");
        Path err = Files.createTempFile(home, "report", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("netcost report did not end within " + LIMIT + ":\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new ReportRun(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
