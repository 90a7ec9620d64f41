package dev.netcost.cadvisor;

import java.nio.charset.StandardCharsets;

/**
 * The eight cAdvisor families netcost keeps, under cAdvisor's own names, with the
 * {@code /proc/<pid>/net/dev} column each one comes from in the procfs source.
 */
public enum NetworkFamily {
    RECEIVE_BYTES("container_network_receive_bytes_total", 0),
    RECEIVE_PACKETS("container_network_receive_packets_total", 1),
    RECEIVE_ERRORS("container_network_receive_errors_total", 2),
    RECEIVE_PACKETS_DROPPED("container_network_receive_packets_dropped_total", 3),
    TRANSMIT_BYTES("container_network_transmit_bytes_total", 8),
    TRANSMIT_PACKETS("container_network_transmit_packets_total", 9),
    TRANSMIT_ERRORS("container_network_transmit_errors_total", 10),
    TRANSMIT_PACKETS_DROPPED("container_network_transmit_packets_dropped_total", 11);

    private static final NetworkFamily[] ALL = values();
    /** What every kept family's name starts with. */
    private static final byte[] PREFIX = "container_network_".getBytes(StandardCharsets.US_ASCII);
    /** The first byte where the other cAdvisor families' names differ from {@link #PREFIX}. */
    private static final int FIRST_DIFFERENCE = "container_".length();

    private final String metricName;
    private final byte[] nameBytes;
    private final int netDevColumn;

    NetworkFamily(String metricName, int netDevColumn) {
        this.metricName = metricName;
        this.nameBytes = metricName.getBytes(StandardCharsets.US_ASCII);
        this.netDevColumn = netDevColumn;
    }

    public String metricName() {
        return metricName;
    }

    /** Zero-based index of the counter after {@code iface:} in a {@code net/dev} line. */
    int netDevColumn() {
        return netDevColumn;
    }

    /**
     * The family whose name is {@code buf[start..end)}, or null. Allocates nothing; cheap for the
     * names of other families because almost all of them differ in the first bytes.
     */
    static NetworkFamily match(byte[] buf, int start, int end) {
        int len = end - start;
        if (len < 36 || len > 48 || buf[start] != 'c') {
            return null;
        }
        for (NetworkFamily f : ALL) {
            byte[] n = f.nameBytes;
            if (n.length != len) {
                continue;
            }
            // The distinguishing bytes are past the shared prefix: compare from the end first.
            int i = len - 1;
            while (i >= 0 && n[i] == buf[start + i]) {
                i--;
            }
            if (i < 0) {
                return f;
            }
        }
        return null;
    }

    /** Bytes {@link #mayStartAt} needs to decide. */
    static int prefixLength() {
        return PREFIX.length;
    }

    /**
     * Whether a line starting at {@code p} ({@link #prefixLength} bytes available) can be one of these
     * families: false for the names of the other families without reading them to their end, which is
     * most of a kubelet's lines.
     */
    static boolean mayStartAt(byte[] buf, int p) {
        if (buf[p + FIRST_DIFFERENCE] != PREFIX[FIRST_DIFFERENCE]) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (buf[p + i] != PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    static NetworkFamily[] all() {
        return ALL.clone();
    }
}
