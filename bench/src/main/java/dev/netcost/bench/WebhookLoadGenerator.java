package dev.netcost.bench;

import dev.netcost.core.auth.TlsContexts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Load on the admission webhook as the API server produces it: AdmissionReview v1 POSTs over TLS on
 * keep-alive connections. Starts {@link WebhookBenchServer} in its own JVM (so its CPU can be read
 * from {@code /proc}) and then:
 * <ol>
 *   <li>at 200, 500 and 1000 requests/s (open loop: each request has a planned send time and its
 *       latency counts from then, so a stall is not hidden by sending less), records p50/p99/p99.9
 *       latency, errors and the server process's CPU;</li>
 *   <li>records 50,000 Ingresses and 100,000 Services and reports the heap they take.</li>
 * </ol>
 * Usage: {@code java -cp bench/target/benchmarks.jar dev.netcost.bench.WebhookLoadGenerator [seconds per rate] [json out]}
 */
public final class WebhookLoadGenerator {
    static final int CONNECTIONS = 4;
    static final int[] RATES = {200, 500, 1000};
    static final int INGRESSES = 50_000;
    static final int SERVICES = 100_000;
    private static final long CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

    private WebhookLoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Path jsonOut = args.length > 1 ? Path.of(args[1]) : null;
        Path dir = Files.createTempDirectory("netcost-webhook-bench");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=netcost-webhook-bench",
                "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The server JVM runs with the flags the Helm chart gives the webhook (serial GC), unless
        // -Dnetcost.bench.serverJvm overrides them (space-separated).
        List<String> serverCmd = new ArrayList<>(List.of(java));
        serverCmd.addAll(List.of(System.getProperty("netcost.bench.serverJvm",
                "-Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Xss512k").trim().split("\\s+")));
        serverCmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WebhookBenchServer.class.getName(),
                cert.toString(), key.toString()));
        System.out.println("server JVM: " + serverCmd.subList(1, serverCmd.size() - 5));
        Process server = new ProcessBuilder(serverCmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        StringBuilder json = new StringBuilder("{\n");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            OutputStream cmd = server.getOutputStream();
            int port = Integer.parseInt(expect(out, "PORT "));
            SSLContext tls = TlsContexts.client(null, null, null, true);
            System.out.printf(Locale.ROOT, "server pid %d on port %d; %d connections, %d s per rate%n",
                    server.pid(), port, CONNECTIONS, seconds);

            // Warm-up: JIT and TLS session set-up, not measured.
            load(tls, port, 500, 20, server.pid());
            System.out.println("| rate (req/s) | requests | errors | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | server CPU (% of one core) | client wake-up lateness p99 (ms) | p99 from actual send (ms) |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            json.append("  \"latency\": [\n");
            for (int i = 0; i < RATES.length; i++) {
                Result r = load(tls, port, RATES[i], seconds, server.pid());
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %.3f | %.3f | %.3f | %.3f | %.1f | %.3f | %.3f |%n", RATES[i],
                        r.requests, r.errors, ms(r.p(0.50)), ms(r.p(0.99)), ms(r.p(0.999)), ms(r.max()), r.cpuPercent,
                        ms(r.clientLateP99), ms(r.fromSendP99));
                json.append(String.format(Locale.ROOT, "    {\"rate\": %d, \"requests\": %d, \"errors\": %d, "
                                + "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"p999_ms\": %.3f, \"max_ms\": %.3f, "
                                + "\"server_cpu_percent\": %.1f, \"client_wakeup_lateness_p99_ms\": %.3f, \"p99_from_send_ms\": %.3f}%s%n", RATES[i], r.requests,
                        r.errors, ms(r.p(0.50)), ms(r.p(0.99)), ms(r.p(0.999)), ms(r.max()), r.cpuPercent,
                        ms(r.clientLateP99), ms(r.fromSendP99), i + 1 < RATES.length ? "," : ""));
            }
            json.append("  ],\n");

            cmd.write("heap\n".getBytes(StandardCharsets.US_ASCII));
            cmd.flush();
            long before = Long.parseLong(expect(out, "HEAP "));
            long start = System.nanoTime();
            fill(tls, port);
            double fillSeconds = (System.nanoTime() - start) / 1e9;
            cmd.write("heap\n".getBytes(StandardCharsets.US_ASCII));
            cmd.flush();
            long after = Long.parseLong(expect(out, "HEAP "));
            int objects = INGRESSES + SERVICES;
            double perObject = (after - before) / (double) objects;
            System.out.printf(Locale.ROOT, "%nheap after GC: %.1f MiB before, %.1f MiB with %d Ingresses + %d Services"
                            + " recorded (%.0f s to send them): %.0f bytes per object%n", before / 1048576.0,
                    after / 1048576.0, INGRESSES, SERVICES, fillSeconds, perObject);
            json.append(String.format(Locale.ROOT, "  \"heap\": {\"ingresses\": %d, \"services\": %d, "
                    + "\"before_bytes\": %d, \"after_bytes\": %d, \"bytes_per_object\": %.0f}%n}%n",
                    INGRESSES, SERVICES, before, after, perObject));
            if (jsonOut != null) {
                Files.writeString(jsonOut, json.toString());
            }
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
            server.destroyForcibly();
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** @param clientLateP99 how late the load threads woke for their planned send: the machine's scheduling noise */
    /** @param fromSendP99 p99 from the moment the request was actually written (no planned-time correction) */
    record Result(long[] latencies, int requests, int errors, double cpuPercent, long clientLateP99, long fromSendP99) {
        long p(double q) {
            return latencies.length == 0 ? 0 : latencies[Math.min(latencies.length - 1, (int) Math.ceil(q * latencies.length) - 1)];
        }

        long max() {
            return latencies.length == 0 ? 0 : latencies[latencies.length - 1];
        }
    }

    /** {@code rate} requests/s for {@code seconds}, spread over {@link #CONNECTIONS} keep-alive connections. */
    static Result load(SSLContext tls, int port, int rate, int seconds, long serverPid) throws Exception {
        int perConnection = rate * seconds / CONNECTIONS;
        long period = TimeUnit.SECONDS.toNanos(1) * CONNECTIONS / rate;
        long[][] latencies = new long[CONNECTIONS][perConnection];
        long[][] lateness = new long[CONNECTIONS][perConnection];
        long[][] service = new long[CONNECTIONS][perConnection];
        AtomicLong errors = new AtomicLong();
        long cpuBefore = cpuTicks(serverPid);
        long begin = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            int conn = c;
            long offset = period * c / CONNECTIONS; // connections interleave instead of sending in bursts
            Thread t = new Thread(() -> {
                try (Connection http = new Connection(tls, port)) {
                    for (int i = 0; i < perConnection; i++) {
                        long planned = begin + offset + i * period;
                        long wait;
                        while ((wait = planned - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        lateness[conn][i] = System.nanoTime() - planned;
                        byte[] body = WebhookReviews.ingressReview("bench-" + (i % 1000), "ns-" + conn, i % 2 == 0);
                        long sent = System.nanoTime();
                        int status = http.post(body);
                        long done = System.nanoTime();
                        latencies[conn][i] = done - planned;
                        service[conn][i] = done - sent;
                        if (status != 200) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    errors.addAndGet(1_000_000);
                    e.printStackTrace();
                }
            }, "load-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - begin) / 1e9;
        double cpu = (cpuTicks(serverPid) - cpuBefore) / (double) CLOCK_TICKS;
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        long[] late = Arrays.stream(lateness).flatMapToLong(Arrays::stream).sorted().toArray();
        long[] svc = Arrays.stream(service).flatMapToLong(Arrays::stream).sorted().toArray();
        int p99 = Math.min(late.length - 1, (int) Math.ceil(0.99 * late.length) - 1);
        return new Result(all, all.length, (int) errors.get(), 100 * cpu / wall, late[p99], svc[p99]);
    }

    /** Records {@link #INGRESSES} Ingresses and {@link #SERVICES} Services, as fast as the server answers. */
    static void fill(SSLContext tls, int port) throws Exception {
        List<Thread> threads = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        for (int c = 0; c < CONNECTIONS; c++) {
            int conn = c;
            Thread t = new Thread(() -> {
                try (Connection http = new Connection(tls, port)) {
                    for (int i = conn; i < INGRESSES; i += CONNECTIONS) {
                        if (http.post(WebhookReviews.ingressReview("ingress-" + i, "team-" + (i % 200), false)) != 200) {
                            failures.incrementAndGet();
                        }
                    }
                    for (int i = conn; i < SERVICES; i += CONNECTIONS) {
                        if (http.post(WebhookReviews.serviceReview("service-" + i, "team-" + (i % 200))) != 200) {
                            failures.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "fill-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " objects were not recorded");
        }
    }

    /** utime + stime of a process, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
    }

    private static String expect(BufferedReader in, String prefix) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
        throw new IOException("server exited before printing " + prefix);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** One keep-alive HTTP/1.1 connection over TLS, reading Content-Length framed responses. */
    static final class Connection implements AutoCloseable {
        private final SSLSocket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] buf = new byte[64 * 1024];

        Connection(SSLContext tls, int port) throws IOException {
            socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        }

        int post(byte[] body) throws IOException {
            out.write(("POST /validate?timeout=10s HTTP/1.1\r\nHost: netcost-webhook.netcost.svc:443\r\n"
                    + "Content-Type: application/json\r\nAccept: application/json, */*\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = line();
            int length = 0;
            String h;
            while (!(h = line()).isEmpty()) {
                if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            int read = 0;
            while (read < length) {
                int n = in.read(buf, 0, Math.min(buf.length, length - read));
                if (n < 0) {
                    throw new IOException("connection closed mid-response");
                }
                read += n;
            }
            return Integer.parseInt(status.substring(9, 12));
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
