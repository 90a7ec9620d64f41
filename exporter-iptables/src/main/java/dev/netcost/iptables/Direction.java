package dev.netcost.iptables;

/** Traffic direction from the pod's point of view: the {@code direction} label. */
enum Direction {
    /** Sent by the pod: matched on the source address, classified by the destination. */
    EGRESS("egress", 'E'),
    /** Received by the pod: matched on the destination address, classified by the source. */
    INGRESS("ingress", 'I');

    private final String label;
    private final char code;

    Direction(String label, char code) {
        this.label = label;
        this.code = code;
    }

    String label() {
        return label;
    }

    /** The letter in the class chain's name ({@code PREFIX-E-SAME}). */
    char code() {
        return code;
    }
}
