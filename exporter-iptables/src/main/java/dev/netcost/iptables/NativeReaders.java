package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of a family. */
final class NativeReaders {
    private NativeReaders() {
    }

    static CounterReader create(IptablesFamily family, NetnsThread thread, ChainNames names)
            throws IOException, InterruptedException {
        return family == IptablesFamily.LEGACY
                ? SockoptCounterReader.open(thread, names)
                : NftCounterReader.open(thread, names);
    }
}
