package dev.netcost.core.k8s;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Strict IP address literals: dotted-quad IPv4 (four decimal parts 0..255) and RFC 4291 IPv6 text,
 * never a host name and never a name lookup. {@link InetAddress#getByName} alone is not that: it
 * accepts {@code "10.0.0"} or {@code "1"} as IPv4 and hands {@code "999.1.1.1"} to the resolver.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The 4 or 16 bytes of the literal, or null when {@code text} is not one (IPv4-mapped IPv6 gives 4 bytes). */
    public static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            return parseIpv4(text);
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.digit(ch, 16) < 0 && ch != ':' && ch != '.') {
                return null;
            }
        }
        try {
            // With a ':' InetAddress parses an IPv6 literal and never resolves: invalid text throws.
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] parseIpv4(String text) {
        byte[] out = new byte[4];
        int parts = 0;
        int part = -1;
        for (int i = 0; i <= text.length(); i++) {
            char ch = i < text.length() ? text.charAt(i) : '.';
            if (ch == '.') {
                if (part < 0 || parts == 4) {
                    return null;
                }
                out[parts++] = (byte) part;
                part = -1;
            } else if (ch >= '0' && ch <= '9') {
                part = part < 0 ? ch - '0' : part * 10 + (ch - '0');
                if (part > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return parts == 4 ? out : null;
    }
}
