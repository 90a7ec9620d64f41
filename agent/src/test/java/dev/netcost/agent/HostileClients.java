package dev.netcost.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Clients a hostile or broken peer would run against the webhook's HTTPS port, each on its own thread
 * and each reconnecting when the server closes it, until {@link #close}. Every client speaks real TLS
 * (or deliberately not) to 127.0.0.1 only.
 */
final class HostileClients implements AutoCloseable {
    private final SSLContext ssl;
    private final int port;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Connections the server ended (closed or reset) while the client still had something to send. */
    final AtomicInteger cutOff = new AtomicInteger();
    /** Requests the server answered, whatever the status. */
    final AtomicInteger answered = new AtomicInteger();
    /** Answers with status 200. */
    final AtomicInteger ok = new AtomicInteger();
    /** Connections opened. */
    final AtomicInteger connections = new AtomicInteger();

    HostileClients(SSLContext ssl, int port) {
        this.ssl = ssl;
        this.port = port;
    }

    /**
     * {@code n} clients each declaring a {@code declared}-byte body and sending it at 256 KiB/s (64 KiB
     * every 250 ms), all but its last byte, which never comes: without deadlines and a budget the server
     * holds every partial body for as long as the client likes. An attacker reconnects at once; these
     * pause a second between attempts so that two shared cores are not spent on handshakes alone.
     */
    HostileClients slowUploads(int n, int declared) {
        byte[] head = ("POST /validate HTTP/1.1\r\nHost: netcost-webhook\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + declared + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) ' ');
        for (int i = 0; i < n; i++) {
            loop("slow-upload-" + i, Duration.ofSeconds(1), s -> {
                OutputStream out = s.getOutputStream();
                out.write(head);
                for (int left = declared - 1; left > 0 && running.get(); left -= chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, left));
                    out.flush();
                    Thread.sleep(250); // the upload's pace, not synchronisation
                }
                awaitClose(s); // holding the last byte back
            });
        }
        return this;
    }

    /** Waits until the server closes {@code s} (then throws, which counts as cut off) or the attack ends. */
    private void awaitClose(SSLSocket s) throws IOException {
        s.setSoTimeout(250);
        while (running.get()) {
            try {
                if (s.getInputStream().read() < 0) {
                    throw new SocketException("closed by the server");
                }
            } catch (java.net.SocketTimeoutException e) {
                // still open
            }
        }
    }

    /** {@code n} clients sending a request head one byte every half second, never finishing it. */
    HostileClients slowHeaders(int n) {
        byte[] head = "POST /validate HTTP/1.1\r\nHost: netcost-webhook\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            loop("slow-headers-" + i, Duration.ofSeconds(1), s -> {
                OutputStream out = s.getOutputStream();
                for (int b = 0; running.get(); b++) {
                    out.write(b < head.length ? head[b] : 'a');
                    out.flush();
                    Thread.sleep(500);
                }
            });
        }
        return this;
    }

    /**
     * {@code n} clients that connect over plain TCP and never say anything: no TLS handshake at all.
     * Each records how long the server kept it before closing.
     */
    HostileClients silentConnections(int n, List<Duration> heldFor) {
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    long start = System.nanoTime();
                    try (Socket s = new Socket()) {
                        open.add(s);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        if (s.getInputStream().read() < 0) {
                            heldFor.add(Duration.ofNanos(System.nanoTime() - start));
                        }
                    } catch (IOException e) {
                        if (running.get()) {
                            heldFor.add(Duration.ofNanos(System.nanoTime() - start));
                        }
                    } finally {
                        pause(Duration.ofMillis(200));
                    }
                }
            }, "silent-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** {@code n} clients that send half of a declared body and then drop the connection, again and again. */
    HostileClients droppedMidBody(int n, int declared, Duration every) {
        byte[] head = ("POST /validate HTTP/1.1\r\nHost: netcost-webhook\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + declared + "\r\n\r\n{\"apiVersion\":\"admission.k8s.io/v1\",")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] half = new byte[declared / 2];
        Arrays.fill(half, (byte) ' ');
        for (int i = 0; i < n; i++) {
            loop("drop-mid-body-" + i, every, s -> {
                s.getOutputStream().write(head);
                s.getOutputStream().write(half);
                s.getOutputStream().flush();
                s.setSoLinger(true, 0); // a reset, as a client that crashes or a proxy that gives up
            });
        }
        return this;
    }

    /** {@code n} clients that open TCP connections and send bytes that are not a TLS ClientHello. */
    HostileClients badTls(int n, Duration every) {
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                while (running.get()) {
                    try (Socket s = new Socket()) {
                        open.add(s);
                        connections.incrementAndGet();
                        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: plain-http\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                        s.setSoTimeout(5000);
                        s.getInputStream().read();
                    } catch (IOException e) {
                        // the server may reset it
                    } finally {
                        pause(every);
                    }
                }
            }, "bad-tls-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    /** {@code n} clients sending request heads that are not HTTP, over real TLS. */
    HostileClients malformedRequests(int n, Duration every) {
        for (int i = 0; i < n; i++) {
            loop("malformed-" + i, every, s -> {
                s.getOutputStream().write("\u0001\u0002 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                readAnswer(s.getInputStream());
            });
        }
        return this;
    }

    /** {@code n} clients sending {@code body} as fast as answers come back, on one keep-alive connection each. */
    HostileClients fastReviews(int n, byte[] body) {
        byte[] head = ("POST /validate HTTP/1.1\r\nHost: netcost-webhook\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < n; i++) {
            loop("large-review-" + i, Duration.ofMillis(100), s -> {
                while (running.get()) {
                    s.getOutputStream().write(head);
                    s.getOutputStream().write(body);
                    s.getOutputStream().flush();
                    int status = readAnswer(s.getInputStream());
                    answered.incrementAndGet();
                    if (status == 200) {
                        ok.incrementAndGet();
                    }
                }
            });
        }
        return this;
    }

    @Override
    public void close() {
        running.set(false);
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closing to stop the client
            }
        }
        for (Thread t : threads) {
            t.interrupt();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private interface Session {
        void run(SSLSocket s) throws IOException, InterruptedException;
    }

    /** Runs {@code session} on new TLS connections until closed, pausing {@code every} between them. */
    private void loop(String name, Duration every, Session session) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                SSLSocket s = null;
                try {
                    s = (SSLSocket) ssl.getSocketFactory().createSocket();
                    open.add(s);
                    connections.incrementAndGet();
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(30_000);
                    s.startHandshake();
                    session.run(s);
                } catch (SocketException | javax.net.ssl.SSLException e) {
                    if (running.get()) {
                        cutOff.incrementAndGet();
                    }
                } catch (IOException e) {
                    // a timeout or an answer cut short: try again
                } catch (InterruptedException e) {
                    return;
                } finally {
                    if (s != null) {
                        open.remove(s);
                        try {
                            s.close();
                        } catch (IOException e) {
                            // already gone
                        }
                    }
                }
                pause(every);
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis()); // pacing between connection attempts, not synchronisation
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads one HTTP/1.1 answer with a Content-Length (as the webhook writes them); its status. */
    static int readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            byte[] h = head.toByteArray();
            int l = h.length;
            if (l >= 4 && h[l - 4] == '\r' && h[l - 3] == '\n' && h[l - 2] == '\r' && h[l - 1] == '\n') {
                break;
            }
        }
        if (c < 0) {
            throw new IOException("connection closed before an answer");
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return Integer.parseInt(text.substring(9, 12));
    }
}
