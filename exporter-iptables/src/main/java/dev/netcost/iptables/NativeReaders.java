package dev.netcost.iptables;

import java.io.IOException;

/** Creates the native counter reader of a family. */
final class NativeReaders {
    private NativeReaders() {
    }

    static CounterReader create(IptablesFamily family, NetnsThread thread, IptablesConfig config, ChainNames names)
            throws IOException, InterruptedException {
        return family == IptablesFamily.LEGACY
                ? new Ip4tcCounterReader(thread, config.ip4tcLibrary(), names)
                : NftCounterReader.open(thread, names);
    }
}
