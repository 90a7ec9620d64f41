package dev.netcost.demo.traffic;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pod's (or the "internet" host's) HTTP server in the demo: {@code GET /bytes/N} answers N bytes,
 * {@code POST /upload} reads the body and answers 204; one request per connection. Run inside a
 * network namespace by the demo ({@code ip netns exec NS java ... PodServer PORT}); prints
 * {@code listening} once it accepts, and serves until killed.
 */
public final class PodServer implements AutoCloseable {
    static final int MAX_HEAD = 8192;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final ServerSocket socket;
    private final ExecutorService workers;

    private PodServer(ServerSocket socket, int threads) {
        this.socket = socket;
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "pod-server");
            t.setDaemon(true);
            return t;
        });
    }

    /** Listens on {@code address} (port 0: any free port) and serves on a background thread. */
    public static PodServer start(InetSocketAddress address, int threads) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 512);
        PodServer server = new PodServer(s, threads);
        Thread acceptor = new Thread(server::acceptLoop, "pod-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return server;
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket c = socket.accept();
                workers.execute(() -> serve(c));
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    System.err.println("pod-server: accept failed: " + e);
                }
            }
        }
    }

    private static void serve(Socket c) {
        try (c) {
            c.setSoTimeout(30_000);
            InputStream in = c.getInputStream();
            String head = readHead(in);
            String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
            OutputStream out = new BufferedOutputStream(c.getOutputStream(), 64 * 1024);
            if (requestLine[0].equals("GET") && requestLine[1].startsWith("/bytes/")) {
                long n = Long.parseLong(requestLine[1].substring("/bytes/".length()));
                out.write(HttpMessages.getResponseHead(n));
                write(out, n);
            } else if (requestLine[0].equals("POST")) {
                long n = contentLength(head);
                in.skipNBytes(n);
                out.write(HttpMessages.postResponse());
            } else {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
            c.shutdownOutput();
            // Wait for the client's FIN so that the connection ends cleanly, never with a reset.
            while (in.read() >= 0) {
                // nothing more is expected
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("pod-server: " + e);
        }
    }

    static void write(OutputStream out, long n) throws IOException {
        while (n > 0) {
            int k = (int) Math.min(n, ZEROS.length);
            out.write(ZEROS, 0, k);
            n -= k;
        }
    }

    /** Reads up to and including the blank line that ends an HTTP head. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!(sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4)) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the HTTP head");
            }
            if (sb.length() >= MAX_HEAD) {
                throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                return Long.parseLong(line.substring(colon + 1).strip());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        workers.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        PodServer server = start(new InetSocketAddress(port), 16);
        System.out.println("listening on " + server.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
