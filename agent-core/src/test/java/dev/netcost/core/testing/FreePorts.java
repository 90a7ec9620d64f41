package dev.netcost.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1 for servers that cannot be told to listen on port 0 and report it. */
public final class FreePorts {

    // The literal, not getLoopbackAddress(), which may be ::1 when IPv6 is preferred.
    static final InetAddress LOOPBACK = loopback();

    private FreePorts() {}

    /**
     * Returns a port that was free a moment ago. Another process may take it before the caller binds
     * it, so callers must detect "address already in use" and retry with a new port.
     */
    public static int loopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            // No SO_REUSEADDR: the port should not be handed out while in TIME_WAIT for a peer.
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, 0), 1);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind an ephemeral port on 127.0.0.1", e);
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new IllegalStateException("BUG: 127.0.0.1 is a valid address", e);
        }
    }
}
