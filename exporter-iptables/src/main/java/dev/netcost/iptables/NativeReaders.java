package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of a family. */
final class NativeReaders {
    private NativeReaders() {
    }

    static RuleReader create(IptablesFamily family, NetnsThread thread, ChainNames names)
            throws IOException, InterruptedException {
        // TODO(integrator): the nft reader now reads netcost's own inet table (NftCounterReader on the new
        // CounterSink); on branch wt-nft the exporter's nft family falls back to iptables-nft-save.
        if (family != IptablesFamily.LEGACY) {
            throw new IOException("no native reader for the iptables-nft mangle table on this branch");
        }
        return SockoptCounterReader.open(thread, names);
    }
}
