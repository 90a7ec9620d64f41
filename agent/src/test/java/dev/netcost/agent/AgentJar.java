package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shaded jar run as users run it ({@code java -jar netcost-agent.jar ...}), and HTTP calls to it. */
final class AgentJar {
    static final Path JAR = Path.of("target", "netcost-agent.jar");

    private AgentJar() {
    }

    /** Starts {@code java -jar netcost-agent.jar args...} with stdout and stderr in {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        return start(log, List.of(), args);
    }

    /** The same with JVM flags before {@code -jar}, e.g. the chart's. */
    static Process start(Path log, List<String> jvmFlags, String... args) throws IOException {
        assertThat(JAR).as("shaded jar (mvn package)").exists();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
