package dev.netcost.core.k8s;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix. The address is stored masked to the prefix length.
 *
 * @param address 4 or 16 bytes, host bits zero
 * @param prefix  0..32 or 0..128
 */
public record Cidr(byte[] address, int prefix) {
    public Cidr {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes");
        }
        if (prefix < 0 || prefix > address.length * 8) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range");
        }
        address = mask(address.clone(), prefix);
    }

    /** Parses {@code 10.0.0.0/19}, {@code fd00::/8}, or a bare address (a /32 or /128). Never resolves names. */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = IpLiteral.parse(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("invalid CIDR '" + text + "'");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
            }
        }
        return new Cidr(bytes, prefix);
    }

    public boolean isIpv4() {
        return address.length == 4;
    }

    /** True when the two prefixes share an address (one contains the other); never across families. */
    public boolean overlaps(Cidr other) {
        if (other.address.length != address.length) {
            return false;
        }
        int shorter = Math.min(prefix, other.prefix);
        return Arrays.equals(mask(address.clone(), shorter), mask(other.address.clone(), shorter));
    }

    private static byte[] mask(byte[] a, int prefix) {
        for (int i = 0; i < a.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            a[i] &= (byte) (0xFF00 >>> bits);
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.address, address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefix;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(address).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("BUG: 4 or 16 bytes are always an address", e);
        }
    }
}
