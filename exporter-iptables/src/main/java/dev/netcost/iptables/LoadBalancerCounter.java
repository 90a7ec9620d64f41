package dev.netcost.iptables;

/**
 * What one load-balancer counter of a pod counts: bytes the pod sent to the load balancer, bytes it
 * received from it, or the connections the load balancer opened to it (packets in conntrack state
 * NEW from the load balancer's addresses).
 */
enum LoadBalancerCounter {
    EGRESS('E', 'e', Direction.EGRESS),
    INGRESS('I', 'i', Direction.INGRESS),
    CONNECTIONS('C', 'c', null);

    private final char chainCode;
    private final char counterCode;
    private final Direction direction;

    LoadBalancerCounter(char chainCode, char counterCode, Direction direction) {
        this.chainCode = chainCode;
        this.counterCode = counterCode;
        this.direction = direction;
    }

    /** The letter in the iptables chain name ({@code PREFIX-LES-ABCDEF}). */
    char chainCode() {
        return chainCode;
    }

    /** The letter in the nft counter name ({@code le4-same_zone-abcdef-0a0a0102}). */
    char counterCode() {
        return counterCode;
    }

    /** The direction of a byte counter; null for {@link #CONNECTIONS}. */
    Direction direction() {
        return direction;
    }

    /** Whether the pod is the rule's source ({@link #EGRESS}) rather than its destination. */
    boolean podIsSource() {
        return this == EGRESS;
    }

    static LoadBalancerCounter ofChainCode(int c) {
        return c == 'E' ? EGRESS : c == 'I' ? INGRESS : c == 'C' ? CONNECTIONS : null;
    }

    static LoadBalancerCounter ofCounterCode(int c) {
        return c == 'e' ? EGRESS : c == 'i' ? INGRESS : c == 'c' ? CONNECTIONS : null;
    }
}
