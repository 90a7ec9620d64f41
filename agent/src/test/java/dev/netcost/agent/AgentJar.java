package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The shaded jar run as users run it ({@code java -jar netcost-agent.jar ...}), and HTTP calls to it. */
final class AgentJar {
    static final Path JAR = Path.of("target", "netcost-agent.jar");

    private AgentJar() {
    }

    /**
     * Starts {@code java -jar netcost-agent.jar args...} with stdout and stderr in {@code log}, and
     * without the machine's {@code AWS_*} variables. Every process runs in the folder of its log (the
     * test's own temporary folder), so that what it writes by default ({@code ./netcost-data},
     * {@code ./netcost-samples.prom}) never lands in the module's source tree.
     */
    static Process start(Path log, String... args) throws IOException {
        return start(log, List.of(), Map.of(), args);
    }

    /**
     * Starts the jar with {@code env} as the AWS part of its environment: every inherited {@code AWS_*}
     * variable is removed first, so the test never depends on (or leaks) the machine's AWS setup.
     */
    static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        return start(log, List.of(), env, args);
    }

    /** As above, with JVM flags before {@code -jar}. */
    static Process start(Path log, List<String> jvmFlags, String... args) throws IOException {
        return start(log, jvmFlags, Map.of(), args);
    }

    /** As above, with JVM flags and variables added to the environment (after every {@code AWS_*} is removed). */
    static Process start(Path log, List<String> jvmFlags, Map<String, String> env, String... args)
            throws IOException {
        assertThat(JAR).as("shaded jar (mvn package)").exists();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workingDirectory(log)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * Starts the agent from the shaded jar with {@code extra} class-path entries after it (test
     * exporters), {@code java -cp netcost-agent.jar:extra... dev.netcost.agent.Main args...}.
     */
    static Process startWithClasspath(Path log, List<Path> extra, List<String> jvmFlags, String... args)
            throws IOException {
        assertThat(JAR).as("shaded jar (mvn package)").exists();
        StringBuilder cp = new StringBuilder(JAR.toAbsolutePath().toString());
        extra.forEach(p -> cp.append(java.io.File.pathSeparatorChar).append(p.toAbsolutePath()));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", cp.toString(), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(workingDirectory(log)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static java.io.File workingDirectory(Path log) {
        return log.toAbsolutePath().getParent().toFile();
    }

    /** "STATUS BODY", or "error ..." when there was no answer (yet), so that it can be polled. */
    static String fetch(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            return "error " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
