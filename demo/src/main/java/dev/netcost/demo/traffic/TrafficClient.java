package dev.netcost.demo.traffic;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs traffic jobs side by side, paced evenly over a duration and interleaved in proportion (at any
 * moment each job has done about the same fraction of its requests), and counts what each request
 * really carried. Run inside a network namespace by the demo
 * ({@code ip netns exec NS java ... TrafficClient DURATION_MS WORKERS JOB...}); prints one JSON line
 * per job: requests done and failed, TCP payload sent and received, and the same per clock hour of
 * completion (the bill is hourly).
 */
public final class TrafficClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<TrafficJob> jobs;
    private final Clock clock;
    private final List<Result> results = new ArrayList<>();

    /** What one job did. */
    public static final class Result {
        final TrafficJob job;
        int ok;
        int failed;
        long sent;
        long received;
        final Map<Instant, long[]> hours = new TreeMap<>();
        final List<String> errors = new ArrayList<>();

        Result(TrafficJob job) {
            this.job = job;
        }

        synchronized void done(Instant when, long sent, long received) {
            ok++;
            this.sent += sent;
            this.received += received;
            long[] h = hours.computeIfAbsent(when.truncatedTo(ChronoUnit.HOURS), k -> new long[3]);
            h[0]++;
            h[1] += sent;
            h[2] += received;
        }

        synchronized void failed(String error) {
            failed++;
            if (errors.size() < 3) {
                errors.add(error);
            }
        }

        public int ok() {
            return ok;
        }

        public int failedCount() {
            return failed;
        }

        public long sent() {
            return sent;
        }

        public long received() {
            return received;
        }

        /** One JSON object on one line. */
        synchronized String json() {
            StringBuilder sb = new StringBuilder("{\"job\":\"").append(job.id()).append("\",\"ok\":").append(ok)
                    .append(",\"failed\":").append(failed).append(",\"sent\":").append(sent)
                    .append(",\"received\":").append(received).append(",\"hours\":[");
            String sep = "";
            for (Map.Entry<Instant, long[]> e : hours.entrySet()) {
                sb.append(sep).append("{\"hour\":\"").append(e.getKey()).append("\",\"connections\":")
                        .append(e.getValue()[0]).append(",\"sent\":").append(e.getValue()[1])
                        .append(",\"received\":").append(e.getValue()[2]).append('}');
                sep = ",";
            }
            sb.append("],\"errors\":[");
            sep = "";
            for (String err : errors) {
                sb.append(sep).append('"').append(err.replace("\\", "\\\\").replace("\"", "'")).append('"');
                sep = ",";
            }
            return sb.append("]}").toString();
        }
    }

    public TrafficClient(List<TrafficJob> jobs, Clock clock) {
        this.jobs = List.copyOf(jobs);
        this.clock = clock;
        jobs.forEach(j -> results.add(new Result(j)));
    }

    /**
     * The order of the requests: job indexes, interleaved so that after any prefix each job has done
     * the same fraction of its count, to within one request.
     */
    static int[] schedule(List<TrafficJob> jobs) {
        int total = jobs.stream().mapToInt(TrafficJob::count).sum();
        int[] order = new int[total];
        int[] done = new int[jobs.size()];
        for (int k = 0; k < total; k++) {
            int best = -1;
            double bestNext = Double.MAX_VALUE;
            for (int j = 0; j < jobs.size(); j++) {
                if (done[j] < jobs.get(j).count()) {
                    double next = (done[j] + 0.5) / jobs.get(j).count();
                    if (next < bestNext) {
                        bestNext = next;
                        best = j;
                    }
                }
            }
            order[k] = best;
            done[best]++;
        }
        return order;
    }

    /** Runs every request, spread evenly over {@code duration} with {@code workers} in parallel. */
    public List<Result> run(Duration duration, int workers) throws InterruptedException {
        int[] order = schedule(jobs);
        int[] perJob = new int[jobs.size()];
        int[] index = new int[order.length];
        for (int k = 0; k < order.length; k++) {
            index[k] = perJob[order[k]]++;
        }
        long startNanos = System.nanoTime();
        double spacingNanos = (double) duration.toNanos() / order.length;
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            pool.execute(() -> {
                int k;
                while ((k = next.getAndIncrement()) < order.length) {
                    long due = startNanos + (long) (k * spacingNanos);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait); // pacing, not synchronisation
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    request(results.get(order[k]), index[k]);
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(duration.toMillis() + 600_000, TimeUnit.MILLISECONDS)) {
            pool.shutdownNow();
        }
        return results;
    }

    private void request(Result r, int i) {
        TrafficJob job = r.job;
        String target = job.targets().get(i % job.targets().size());
        String source = job.sources().isEmpty() ? null : job.sources().get(i % job.sources().size());
        try (Socket s = new Socket()) {
            if (source != null) {
                s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            }
            s.connect(new InetSocketAddress(InetAddress.getByName(target), job.port()), (int) TIMEOUT.toMillis());
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            long sent;
            if (job.method().equals("GET")) {
                byte[] req = HttpMessages.getRequest(job.host(), job.body());
                out.write(req);
                sent = req.length;
            } else {
                byte[] head = HttpMessages.postRequestHead(job.host(), job.body());
                out.write(head);
                PodServer.write(out, job.body());
                sent = head.length + job.body();
            }
            out.flush();
            long received = drain(s.getInputStream());
            long expected = HttpMessages.responseBytes(job.method(), job.body());
            if (received != expected) {
                r.failed("answer of " + received + " bytes from " + target + ", expected " + expected);
                return;
            }
            r.done(clock.instant(), sent, received);
        } catch (IOException e) {
            r.failed((source == null ? "" : source + " ") + "-> " + target + ":" + job.port() + ": " + e);
        }
    }

    private static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        int k;
        while ((k = in.read(buf)) >= 0) {
            n += k;
        }
        return n;
    }

    /** {@code TrafficClient DURATION_MS WORKERS JOB...}; prints one JSON line per job. */
    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMillis(Long.parseLong(args[0]));
        int workers = Integer.parseInt(args[1]);
        List<TrafficJob> jobs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            jobs.add(TrafficJob.parse(args[i]));
        }
        PrintStream out = System.out;
        for (Result r : new TrafficClient(jobs, Clock.systemUTC()).run(duration, workers)) {
            out.println(r.json());
        }
        out.flush();
    }
}
