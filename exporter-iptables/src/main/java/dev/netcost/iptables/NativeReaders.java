package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of a family. */
final class NativeReaders {
    private NativeReaders() {
    }

    static CounterReader create(IptablesFamily family, NetnsThread thread, IptablesConfig config, ChainNames names)
            throws IOException, InterruptedException {
        throw new IOException("no native reader for " + family.label() + " yet");
    }
}
