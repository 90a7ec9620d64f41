package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of an iptables family's table. */
final class NativeReaders {
    private NativeReaders() {
    }

    /**
     * The native reader, or null when the family has none: iptables-nft's rule counters are read with
     * {@code iptables-nft-save -c} (the {@code nft} backend keeps its counters in its own table instead,
     * {@link NftTables}).
     *
     * @param ipv6 the ip6tables table instead of the iptables one
     */
    static CounterReader create(IptablesFamily family, NetnsThread thread, ChainNames names, boolean ipv6)
            throws IOException, InterruptedException {
        return family == IptablesFamily.LEGACY ? SockoptCounterReader.open(thread, names, ipv6) : null;
    }
}
