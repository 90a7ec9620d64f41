package dev.netcost.core.remotewrite;

import dev.netcost.core.remotewrite.prompb.Remote;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xerial.snappy.Snappy;

/**
 * A remote-write endpoint on 127.0.0.1 written on a raw socket, so that it can misbehave the ways a
 * broken endpoint or proxy does: answer 200 and trickle the body, never finish the headers, or stop
 * in the middle of the body. Switched to {@link Mode#HEALTHY} it answers 204 and records what it got.
 */
final class HostileReceiver implements AutoCloseable {
    enum Mode {
        /** Status and headers promising a long body, then one byte every 50 ms, forever. */
        TRICKLE_BODY,
        /** Half a status line, then silence. */
        NEVER_FINISH_HEADERS,
        /** Complete headers and half the promised body, then silence. */
        STALL_MID_BODY,
        /** A proper 204. */
        HEALTHY
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Remote.WriteRequest> delivered = new CopyOnWriteArrayList<>();
    private final AtomicInteger hostileAnswers = new AtomicInteger();
    private final AtomicInteger hostileOpen = new AtomicInteger();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Mode mode;

    HostileReceiver(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        Thread acceptor = new Thread(this::accept, "hostile-receiver-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/api/v1/write");
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    /** Requests answered in a hostile mode so far. */
    int hostileAnswers() {
        return hostileAnswers.get();
    }

    /** Connections still held by a hostile answer: the client has not hung up on them yet. */
    int hostileConnectionsOpen() {
        return hostileOpen.get();
    }

    List<Remote.WriteRequest> delivered() {
        return List.copyOf(delivered);
    }

    int samplesDelivered() {
        return delivered.stream().mapToInt(Remote.WriteRequest::getTimeseriesCount).sum();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "hostile-receiver-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            while (true) {
                byte[] body = readRequest(in);
                if (body == null) {
                    return;
                }
                Mode m = mode;
                if (m == Mode.HEALTHY) {
                    delivered.add(Remote.WriteRequest.parseFrom(Snappy.uncompress(body)));
                    out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                hostileAnswers.incrementAndGet();
                hostileOpen.incrementAndGet();
                try {
                    misbehave(m, in, out);
                } finally {
                    hostileOpen.decrementAndGet();
                }
                return;
            }
        } catch (IOException | InterruptedException e) {
            // the client gave up on us, or the test is over
        }
    }

    /** Misbehaves until the client hangs up (a read sees the end, or a write fails) or the test ends. */
    private void misbehave(Mode m, InputStream in, OutputStream out) throws IOException, InterruptedException {
        switch (m) {
            case NEVER_FINISH_HEADERS -> {
                out.write("HTTP/1.1 20".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                awaitHangUp(in);
            }
            case STALL_MID_BODY -> {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[50]);
                out.flush();
                awaitHangUp(in);
            }
            case TRICKLE_BODY -> {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (!closed.await(50, TimeUnit.MILLISECONDS)) {
                    out.write('x');
                    out.flush();
                }
            }
            default -> throw new IllegalStateException("BUG: not a hostile mode: " + m);
        }
    }

    private static void awaitHangUp(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // the client sends nothing more on this connection; -1 (or an exception) means it closed it
        }
    }

    /** The body of the next request on this connection, or null at its end. */
    private static byte[] readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        if (c < 0) {
            return null;
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (SocketException e) {
                // already closed
            }
        }
    }
}
