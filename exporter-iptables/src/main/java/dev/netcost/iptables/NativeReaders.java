package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of a family and address family. */
final class NativeReaders {
    private NativeReaders() {
    }

    /**
     * The native reader, or null when the family has none yet.
     *
     * @param ipv6 the ip6tables table instead of the iptables one
     */
    static CounterReader create(IptablesFamily family, NetnsThread thread, ChainNames names, boolean ipv6)
            throws IOException, InterruptedException {
        if (family == IptablesFamily.LEGACY) {
            return SockoptCounterReader.open(thread, names, ipv6);
        }
        // TODO(integrator): native nft table
        return null;
    }
}
