package dev.netcost.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (a WebSocket, JDK client): opens
 * a page, records console messages, exceptions, log entries and every request, evaluates JavaScript in
 * the page and takes a full-page screenshot. Stops only the process it started.
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** What the page did while loading. */
    record PageLoad(List<String> errors, List<String> requests) {
    }

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean loaded;
    private String session;

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    static HeadlessChromium start() throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing; install Debian's chromium (scripts/install-deps.sh)");
        }
        Path profile = Files.createTempDirectory("netcost-chromium-");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--remote-allow-origins=*", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            Awaitility.await("chromium's DevToolsActivePort").atMost(TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> !p.isAlive() || (Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2));
            if (!p.isAlive()) {
                throw new IllegalStateException("chromium exited: " + Files.readString(profile.resolve("chromium.log")));
            }
            List<String> lines = Files.readAllLines(portFile);
            URI ws = URI.create("ws://127.0.0.1:" + lines.get(0).strip() + lines.get(1).strip());
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(ws, new Listener(m -> self[0].onMessage(m))).get(30, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(p, profile, socket);
            return self[0];
        } catch (Exception e) {
            p.destroyForcibly();
            deleteQuietly(profile);
            throw new IOException("cannot start headless chromium", e);
        }
    }

    /** Opens {@code file} in a new page, waits for its load event, and returns what went wrong and what was fetched. */
    PageLoad open(Path file, int width) throws Exception {
        String target = call(null, "Target.createTarget", Map.of("url", "about:blank")).get("targetId").asText();
        session = call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true)).get("sessionId").asText();
        for (String domain : List.of("Runtime", "Log", "Network", "Page")) {
            call(session, domain + ".enable", Map.of());
        }
        call(session, "Emulation.setDeviceMetricsOverride",
                Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        loaded = false;
        call(session, "Page.navigate", Map.of("url", file.toUri().toString()));
        Awaitility.await("page load").atMost(TIMEOUT).until(() -> loaded);
        return new PageLoad(List.copyOf(errors), List.copyOf(requests));
    }

    /** The value of a JavaScript expression in the page (returned by value). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call(session, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("evaluate failed: " + r.get("exceptionDetails"));
        }
        return r.at("/result/value");
    }

    /** A PNG of the whole page. */
    void screenshot(Path png) throws Exception {
        JsonNode metrics = call(session, "Page.getLayoutMetrics", Map.of());
        JsonNode size = metrics.has("cssContentSize") ? metrics.get("cssContentSize") : metrics.get("contentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", size.get("width").asDouble(),
                "height", size.get("height").asDouble(), "scale", 1);
        JsonNode shot = call(session, "Page.captureScreenshot",
                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.write(png, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    private JsonNode call(String sessionId, String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
        JsonNode reply = f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.get("result");
    }

    private void onMessage(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            errors.add("unreadable DevTools message: " + e.getMessage());
            return;
        }
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert") || type.equals("warning")) {
                    errors.add("console." + type + ": " + p.path("args"));
                }
            }
            case "Runtime.exceptionThrown" -> errors.add("exception: " + p.path("exceptionDetails"));
            case "Log.entryAdded" -> {
                String level = p.at("/entry/level").asText();
                if (level.equals("error") || level.equals("warning")) {
                    errors.add("log " + level + ": " + p.at("/entry/text").asText() + " " + p.at("/entry/url").asText());
                }
            }
            case "Network.requestWillBeSent" -> requests.add(p.at("/request/url").asText());
            case "Page.loadEventFired" -> loaded = true;
            default -> {
            }
        }
    }

    @Override
    public void close() {
        socket.abort();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // Chromium's helper processes may still write into the profile for a moment after it exits.
        try {
            Awaitility.await("profile deleted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        deleteQuietly(profile);
                        return !Files.exists(profile);
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // best effort: a temp profile left behind must not fail the test
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp profile left behind must not fail the test
        }
    }

    /** Collects text frames (which may arrive in parts) into messages. */
    private static final class Listener implements WebSocket.Listener {
        private final java.util.function.Consumer<String> sink;
        private final StringBuilder buffer = new StringBuilder();

        Listener(java.util.function.Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String m = buffer.toString();
                buffer.setLength(0);
                sink.accept(m);
            }
            ws.request(1);
            return null;
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
