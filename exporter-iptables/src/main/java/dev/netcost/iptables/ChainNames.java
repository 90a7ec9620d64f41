package dev.netcost.iptables;

import java.util.Objects;

/**
 * Names of the chains netcost owns: the main chain {@code PREFIX} (one jump from mangle POSTROUTING)
 * and one chain per pod and direction, {@code PREFIX-E-0A000107} / {@code PREFIX-I-0A000107}, the
 * pod's IPv4 address in hex. Nothing else with the prefix is ever touched.
 */
final class ChainNames {
    /** iptables chain names have at most 28 characters. */
    static final int MAX_CHAIN_NAME = 28;
    /** Room left for {@code -E-} and eight hex digits. */
    static final int MAX_PREFIX = MAX_CHAIN_NAME - 11;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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

    boolean isOwned(String chain) {
        return chain.equals(prefix) || isPodChain(chain);
    }

    boolean isPodChain(String chain) {
        if (chain.length() != prefix.length() + 11 || !chain.startsWith(prefix)) {
            return false;
        }
        int i = prefix.length();
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

    /** The IPv4 address (big-endian int) of a pod chain; call only for names {@link #isPodChain} accepts. */
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
}
