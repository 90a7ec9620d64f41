package dev.netcost.iptables;

import dev.netcost.core.k8s.IpLiteral;
import dev.netcost.core.k8s.TrafficClass;
import java.util.Objects;

/**
 * Names of the chains netcost owns in a mangle table (iptables and ip6tables alike):
 * <ul>
 *   <li>the main chain {@code PREFIX} (one jump from mangle POSTROUTING), which jumps to</li>
 *   <li>the classification chains {@code PREFIX-EGRESS} / {@code PREFIX-INGRESS}, which go ({@code -g})
 *       to</li>
 *   <li>the class chains {@code PREFIX-E-SAME}, {@code PREFIX-E-CROSS}, {@code PREFIX-E-VPC},
 *       {@code PREFIX-E-INET} and the same with {@code -I-}: one counting rule per pod, whose
 *       address is the pod, whose chain is the direction and class.</li>
 *   <li>the load-balancer chains {@code PREFIX-L<kind><class>-<id>}: {@code PREFIX-LES-ABCDEF} (egress
 *       to load balancer {@code ABCDEF}'s addresses of class same zone; {@code I} ingress; {@code X}
 *       cross zone, {@code V} unknown zone) and {@code PREFIX-LCN-ABCDEF} (its new connections), one
 *       counting rule per pod each (see {@link LoadBalancerIndex}).</li>
 * </ul>
 * The per-pod chains of earlier versions ({@code PREFIX-E-0A000107}, {@code PREFIX-E6-ABCDEFG}) are
 * still recognised as owned, so that an upgrade removes them. Nothing else with the prefix is ever
 * touched. The prefix limit is that of the old per-pod names (11 characters after the prefix), which
 * also leaves room for the class chains (8) and the ipsets ({@code -4-CROSS-T}, 10, within 31).
 */
final class ChainNames {
    /** iptables chain names have at most 28 characters. */
    static final int MAX_CHAIN_NAME = 28;
    /** Room left for the longest suffix netcost recognises, the old {@code -E-} and eight hex digits. */
    static final int MAX_PREFIX = MAX_CHAIN_NAME - 11;

    private static final TrafficClass[] CLASSES = TrafficClass.values();
    private static final Direction[] DIRECTIONS = Direction.values();

    private final String prefix;
    private final String egress;
    private final String ingress;
    /** Class chain names by {@code direction.ordinal() * 4 + class.ordinal()}. */
    private final String[] classChains = new String[DIRECTIONS.length * CLASSES.length];

    ChainNames(String prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty() || prefix.length() > MAX_PREFIX) {
            throw new IllegalArgumentException("chain prefix must have 1 to " + MAX_PREFIX + " characters: " + prefix);
        }
        this.egress = prefix + "-EGRESS";
        this.ingress = prefix + "-INGRESS";
        for (Direction d : DIRECTIONS) {
            for (TrafficClass c : CLASSES) {
                classChains[index(d, c)] = prefix + "-" + d.code() + "-" + code(c);
            }
        }
    }

    static int index(Direction d, TrafficClass c) {
        return d.ordinal() * CLASSES.length + c.ordinal();
    }

    /** The short name of a class in chain names: SAME, CROSS, VPC, INET (LB: its traffic goes to load-balancer chains). */
    static String code(TrafficClass c) {
        return switch (c) {
            case LOAD_BALANCER -> "LB";
            case SAME_ZONE -> "SAME";
            case CROSS_ZONE -> "CROSS";
            case IN_VPC -> "VPC";
            case INTERNET -> "INET";
        };
    }

    String main() {
        return prefix;
    }

    /** The classification chain of a direction ({@code PREFIX-EGRESS} / {@code PREFIX-INGRESS}). */
    String classify(Direction d) {
        return d == Direction.EGRESS ? egress : ingress;
    }

    /** The class chain of a direction and class, e.g. {@code PREFIX-E-CROSS}. */
    String classChain(Direction d, TrafficClass c) {
        return classChains[index(d, c)];
    }

    /** The class chain names, by {@link #index}. */
    String classChain(int index) {
        return classChains[index];
    }

    /** The {@link #index} of a class chain name, or -1 for any other name. */
    int classChainIndex(String chain) {
        for (int i = 0; i < classChains.length; i++) {
            if (classChains[i].equals(chain)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The chain of one load balancer's counter kind and zone class ({@code zoneClass} is ignored for
     * connections): {@code PREFIX-LES-ABCDEF}, {@code PREFIX-LCN-ABCDEF}.
     */
    String loadBalancerChain(LoadBalancerCounter kind, TrafficClass zoneClass, String code) {
        char cls = kind == LoadBalancerCounter.CONNECTIONS ? 'N' : LoadBalancerIndex.classCode(zoneClass);
        return prefix + "-L" + kind.chainCode() + cls + "-" + code;
    }

    /** Whether {@code chain} has the shape of a load-balancer chain of this prefix. */
    boolean isLoadBalancerChain(String chain) {
        return chain.length() == prefix.length() + 5 + LoadBalancerIndex.CODE_LENGTH && chain.startsWith(prefix)
                && decodeLoadBalancerChain(chain, prefix.length(), chain.length(), new LoadBalancerChain());
    }

    /** A load-balancer chain's parts, filled by {@link #decodeLoadBalancerChain}; reused by readers. */
    static final class LoadBalancerChain {
        LoadBalancerCounter kind;
        /** The zone class; null for connections. */
        TrafficClass zoneClass;
        int id;
    }

    /**
     * Decodes {@code -L<kind><class>-<id>}, the part of a chain name after the prefix, in
     * {@code text[from, to)}; false (and {@code out} unspecified) when it is not one. Allocates nothing.
     */
    static boolean decodeLoadBalancerChain(CharSequence text, int from, int to, LoadBalancerChain out) {
        if (to - from != 5 + LoadBalancerIndex.CODE_LENGTH || text.charAt(from) != '-' || text.charAt(from + 1) != 'L'
                || text.charAt(from + 4) != '-') {
            return false;
        }
        LoadBalancerCounter kind = LoadBalancerCounter.ofChainCode(text.charAt(from + 2));
        if (kind == null) {
            return false;
        }
        TrafficClass cls = null;
        if (kind == LoadBalancerCounter.CONNECTIONS) {
            if (text.charAt(from + 3) != 'N') {
                return false;
            }
        } else if ((cls = LoadBalancerIndex.ofClassCode(text.charAt(from + 3))) == null) {
            return false;
        }
        int id = 0;
        for (int i = from + 5; i < to; i++) {
            char ch = text.charAt(i);
            int v = ch >= 'A' && ch <= 'Z' || ch >= '2' && ch <= '7' ? LoadBalancerIndex.base32(ch) : -1;
            if (v < 0) {
                return false;
            }
            id = id << 5 | v;
        }
        out.kind = kind;
        out.zoneClass = cls;
        out.id = id;
        return true;
    }

    static Direction direction(int index) {
        return DIRECTIONS[index / CLASSES.length];
    }

    static TrafficClass trafficClass(int index) {
        return CLASSES[index % CLASSES.length];
    }

    static int classChainCount() {
        return DIRECTIONS.length * CLASSES.length;
    }

    /** Whether netcost owns the chain: the current layout's chains and the per-pod chains of earlier versions. */
    boolean isOwned(String chain) {
        return chain.equals(prefix) || chain.equals(egress) || chain.equals(ingress) || classChainIndex(chain) >= 0
                || isLoadBalancerChain(chain) || isOldPodChain(chain);
    }

    /** A per-pod chain of earlier versions: {@code PREFIX-E-0A000107} or {@code PREFIX-E6-ABCDEFG}. */
    boolean isOldPodChain(String chain) {
        if (chain.length() != prefix.length() + 11 || !chain.startsWith(prefix) || chain.charAt(prefix.length()) != '-') {
            return false;
        }
        int i = prefix.length();
        char d = chain.charAt(i + 1);
        if (d != 'E' && d != 'I') {
            return false;
        }
        if (chain.charAt(i + 2) == '6' && chain.charAt(i + 3) == '-') {
            for (int k = i + 4; k < chain.length(); k++) {
                char ch = chain.charAt(k);
                if (!(ch >= 'A' && ch <= 'Z') && !(ch >= '2' && ch <= '7')) {
                    return false;
                }
            }
            return true;
        }
        if (chain.charAt(i + 2) != '-') {
            return false;
        }
        for (int k = i + 3; k < chain.length(); k++) {
            char ch = chain.charAt(k);
            if (!(ch >= '0' && ch <= '9') && !(ch >= 'A' && ch <= 'F')) {
                return false;
            }
        }
        return true;
    }

    static String ipv4ToString(int ip) {
        return ((ip >>> 24) & 0xFF) + "." + ((ip >>> 16) & 0xFF) + "." + ((ip >>> 8) & 0xFF) + "." + (ip & 0xFF);
    }

    /** The address of a dotted IPv4 literal, or null for anything else (IPv6 included). */
    static Integer parseIpv4(String text) {
        long v = parseIpv4(text, 0, text.length());
        return v < 0 ? null : (int) v;
    }

    /**
     * The address of the dotted IPv4 literal in {@code text[from, to)} as an unsigned 32-bit value, or
     * -1 for anything else; allocates nothing (the save parser's hot path).
     */
    static long parseIpv4(CharSequence text, int from, int to) {
        int value = 0;
        int parts = 0;
        int part = -1;
        for (int i = from; i <= to; i++) {
            char ch = i < to ? text.charAt(i) : '.';
            if (ch == '.') {
                if (part < 0 || ++parts > 4) {
                    return -1;
                }
                value = (value << 8) | part;
                part = -1;
            } else if (ch >= '0' && ch <= '9') {
                part = part < 0 ? ch - '0' : part * 10 + (ch - '0');
                if (part > 255) {
                    return -1;
                }
            } else {
                return -1;
            }
        }
        return parts == 4 ? value & 0xFFFFFFFFL : -1;
    }

    /** The 4 (IPv4, {@code ipv6} false) or 16 bytes of an address literal of that family, or null for anything else. */
    static byte[] parseAddress(String text, boolean ipv6) {
        if (ipv6) {
            return parseIpv6(text);
        }
        Integer v4 = parseIpv4(text);
        return v4 == null ? null : new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), v4.byteValue()};
    }

    /** An address of 4 or 16 bytes as the save programs and nft print it. */
    static String addressToString(byte[] a) {
        if (a.length == 4) {
            return ipv4ToString((a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF));
        }
        return ipv6ToString(a);
    }

    /** The 16 bytes of an IPv6 literal (no zone id, no name lookups), or null for anything else (IPv4 included). */
    static byte[] parseIpv6(String text) {
        byte[] b = IpLiteral.parse(text);
        return b != null && b.length == 16 ? b : null; // an IPv4-mapped literal comes back as 4 bytes: not a v6 pod address
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
