package dev.netcost.iptables;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Names of the chains netcost owns: the main chain {@code PREFIX} (one jump from mangle POSTROUTING)
 * and one chain per pod and direction, {@code PREFIX-E-0A000107} / {@code PREFIX-I-0A000107}, the
 * pod's IPv4 address in hex. In the ip6tables mangle table a pod chain is {@code PREFIX-E6-ABCDEFG}:
 * an IPv6 address does not fit in 28 characters, so the last seven characters are the low 35 bits
 * of the first five bytes of the SHA-256 of the 16 address bytes, in base32 (A-Z, 2-7) — stable
 * across restarts; the rules' {@code -s}/{@code -d} match and the pod named in the comments say
 * which pod a chain belongs to.
 * Nothing else with the prefix is ever touched.
 */
final class ChainNames {
    /** iptables chain names have at most 28 characters. */
    static final int MAX_CHAIN_NAME = 28;
    /** Room left for {@code -E-} and eight hex digits. */
    static final int MAX_PREFIX = MAX_CHAIN_NAME - 11;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final String prefix;

    ChainNames(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || prefix.length() > MAX_PREFIX) {
            throw new IllegalArgumentException("chain prefix must have 1 to " + MAX_PREFIX + " characters: " + prefix);
        }
    }

    String main() {
        return prefix;
    }

    String podChain(Direction direction, int ipv4) {
        char[] c = new char[prefix.length() + 11];
        prefix.getChars(0, prefix.length(), c, 0);
        int i = prefix.length();
        c[i++] = '-';
        c[i++] = direction.code();
        c[i++] = '-';
        for (int shift = 28; shift >= 0; shift -= 4) {
            c[i++] = HEX[(ipv4 >>> shift) & 0xF];
        }
        return new String(c);
    }

    /** The chain of an IPv6 pod address (16 bytes) in the ip6tables mangle table. */
    String podChain6(Direction direction, byte[] ipv6) {
        byte[] h = sha256(ipv6);
        long bits = ((h[0] & 0xFFL) << 32) | ((h[1] & 0xFFL) << 24) | ((h[2] & 0xFFL) << 16) | ((h[3] & 0xFFL) << 8) | (h[4] & 0xFFL);
        char[] c = new char[prefix.length() + 11];
        prefix.getChars(0, prefix.length(), c, 0);
        int i = prefix.length();
        c[i++] = '-';
        c[i++] = direction.code();
        c[i++] = '6';
        c[i++] = '-';
        for (int shift = 35; shift > 0; shift -= 5) {
            c[i++] = BASE32[(int) (bits >>> (shift - 5)) & 0x1F];
        }
        return new String(c);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("BUG: every Java platform has SHA-256", e);
        }
    }

    boolean isOwned(String chain) {
        return chain.equals(prefix) || isPodChain(chain);
    }

    /** Whether the chain is an IPv6 pod chain ({@code PREFIX-E6-ABCDEFG}). */
    boolean isIpv6PodChain(String chain) {
        if (chain.length() != prefix.length() + 11 || !chain.startsWith(prefix)) {
            return false;
        }
        int i = prefix.length();
        if (chain.charAt(i) != '-' || chain.charAt(i + 2) != '6' || chain.charAt(i + 3) != '-' || direction(chain) == null) {
            return false;
        }
        for (int k = i + 4; k < chain.length(); k++) {
            char ch = chain.charAt(k);
            if (!(ch >= 'A' && ch <= 'Z') && !(ch >= '2' && ch <= '7')) {
                return false;
            }
        }
        return true;
    }

    /** Whether the chain is a pod chain of either family. */
    boolean isPodChain(String chain) {
        if (chain.length() != prefix.length() + 11 || !chain.startsWith(prefix)) {
            return false;
        }
        int i = prefix.length();
        if (chain.charAt(i + 2) == '6') {
            return isIpv6PodChain(chain);
        }
        if (chain.charAt(i) != '-' || chain.charAt(i + 2) != '-' || direction(chain) == null) {
            return false;
        }
        for (int k = i + 3; k < chain.length(); k++) {
            if (Character.digit(chain.charAt(k), 16) < 0 || Character.isLowerCase(chain.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** The direction of a pod chain, or null. */
    Direction direction(String podChain) {
        char c = podChain.charAt(prefix.length() + 1);
        for (Direction d : Direction.values()) {
            if (d.code() == c) {
                return d;
            }
        }
        return null;
    }

    /** The IPv4 address (big-endian int) of an IPv4 pod chain; call only for names {@link #isPodChain} accepts. */
    int ipv4(String podChain) {
        return (int) Long.parseLong(podChain, prefix.length() + 3, podChain.length(), 16);
    }

    static String ipv4ToString(int ip) {
        return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    /** The address of a dotted IPv4 literal, or null for anything else (IPv6 included). */
    static Integer parseIpv4(String text) {
        int value = 0;
        int parts = 0;
        int part = -1;
        for (int i = 0; i <= text.length(); i++) {
            char ch = i < text.length() ? text.charAt(i) : '.';
            if (ch == '.') {
                if (part < 0 || ++parts > 4) {
                    return null;
                }
                value = (value << 8) | part;
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
        return parts == 4 ? value : null;
    }

    /** The 16 bytes of an IPv6 literal (no zone id, no name lookups), or null for anything else (IPv4 included). */
    static byte[] parseIpv6(String text) {
        if (text.indexOf(':') < 0 || text.isEmpty()) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.digit(ch, 16) < 0 && ch != ':' && ch != '.') {
                return null;
            }
        }
        try {
            byte[] b = InetAddress.getByName(text).getAddress(); // a literal: never resolved
            return b.length == 16 ? b : null; // an IPv4-mapped literal comes back as 4 bytes: not a v6 pod address
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * An IPv6 address as ip6tables-save prints it (glibc's inet_ntop): lowercase, no leading zeros,
     * the longest run of two or more zero groups (the first on a tie) as {@code ::}, and the dotted
     * form for IPv4-compatible and IPv4-mapped addresses.
     */
    static String ipv6ToString(byte[] a) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
        }
        int bestBase = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestBase = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xFFFF))) {
                sb.append(a[12] & 0xFF).append('.').append(a[13] & 0xFF).append('.').append(a[14] & 0xFF).append('.')
                        .append(a[15] & 0xFF);
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }
}
