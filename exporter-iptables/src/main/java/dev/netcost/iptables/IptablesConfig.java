package dev.netcost.iptables;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code iptables} section.
 *
 * @param enabled       run the exporter at all
 * @param backend       which iptables family and reader to use
 * @param chainPrefix   name of netcost's main chain and prefix of its pod chains
 * @param cleanupOnExit remove every chain and the jump rule when the agent stops
 * @param lockWait      how long {@code iptables-restore} waits for the xtables lock ({@code -w})
 * @param netns         a network namespace file to work in (e.g. {@code /run/netns/node}), or null for the agent's own
 * @param commands      the iptables binaries, and nsenter for {@code netns}
 */
record IptablesConfig(boolean enabled, IptablesBackend backend, String chainPrefix, boolean cleanupOnExit,
                      Duration lockWait, Path netns, Commands commands) {
    static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0," + (ChainNames.MAX_PREFIX - 1) + "}");

    // Off by default: the exporter changes the node's iptables rules, so it is opted into (the DaemonSet does).
    static final IptablesConfig DEFAULT = new IptablesConfig(false, IptablesBackend.AUTO, "NETCOST", false,
            Duration.ofSeconds(5), null, Commands.DEFAULT);

    IptablesConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(chainPrefix, "chainPrefix");
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(commands, "commands");
    }

    IptablesConfig withNetns(Path path) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanupOnExit, lockWait, path, commands);
    }

    IptablesConfig withBackend(IptablesBackend b) {
        return new IptablesConfig(enabled, b, chainPrefix, cleanupOnExit, lockWait, netns, commands);
    }

    IptablesConfig withCleanupOnExit(boolean cleanup) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanup, lockWait, netns, commands);
    }

    IptablesConfig withChainPrefix(String prefix) {
        return new IptablesConfig(enabled, backend, prefix, cleanupOnExit, lockWait, netns, commands);
    }

    /** The programs run, by name (looked up in PATH) or path. */
    record Commands(String legacySave, String legacyRestore, String nftSave, String nftRestore, String nsenter) {
        static final Commands DEFAULT = new Commands("iptables-legacy-save", "iptables-legacy-restore",
                "iptables-nft-save", "iptables-nft-restore", "nsenter");

        Commands {
            Objects.requireNonNull(legacySave, "legacySave");
            Objects.requireNonNull(legacyRestore, "legacyRestore");
            Objects.requireNonNull(nftSave, "nftSave");
            Objects.requireNonNull(nftRestore, "nftRestore");
            Objects.requireNonNull(nsenter, "nsenter");
        }

        String save(IptablesFamily family) {
            return family == IptablesFamily.LEGACY ? legacySave : nftSave;
        }

        String restore(IptablesFamily family) {
            return family == IptablesFamily.LEGACY ? legacyRestore : nftRestore;
        }
    }
}
