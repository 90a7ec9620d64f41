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
 * @param chainPrefix   name of netcost's main chain and prefix of its other chains and ipsets;
 *                      lower-cased, the nft backend's table
 * @param cleanupOnExit remove everything netcost added (chains, jump, ipsets, or the nft table) when
 *                      the agent stops
 * @param lockWait      how long {@code iptables-restore} waits for the xtables lock ({@code -w})
 * @param netns         a network namespace file to work in (e.g. {@code /run/netns/node}), or null for the agent's own
 * @param commands      the iptables binaries, and nsenter for {@code netns}
 * @param ipv6          also count pods' IPv6 addresses in the ip6tables mangle table (when the node has ip6tables
 *                      of the chosen family and a local pod has an IPv6 address)
 * @param setThreshold  a class with more CIDRs than this is matched with one ipset rule ({@code -m set}) instead of
 *                      one rule per CIDR; 0 uses sets for every non-empty class
 * @param cleanupOnUninstall remove everything netcost added when the agent stops because it is removed from
 *                      the node for good (its DaemonSet deleted: {@code helm uninstall}), even without cleanupOnExit
 */
record IptablesConfig(boolean enabled, IptablesBackend backend, String chainPrefix, boolean cleanupOnExit,
                      Duration lockWait, Path netns, Commands commands, boolean ipv6, int setThreshold,
                      boolean cleanupOnUninstall) {
    static final int DEFAULT_SET_THRESHOLD = 16;
    /** The ipset program (looked up in PATH), run like the iptables programs (through nsenter with {@code netns}). */
    static final String IPSET = "ipset";
    static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0," + (ChainNames.MAX_PREFIX - 1) + "}");

    // Off by default: the exporter changes the node's iptables rules, so it is opted into (the DaemonSet does).
    static final IptablesConfig DEFAULT = new IptablesConfig(false, IptablesBackend.AUTO, "NETCOST", false,
            Duration.ofSeconds(5), null, Commands.DEFAULT, true, DEFAULT_SET_THRESHOLD, true);

    IptablesConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(chainPrefix, "chainPrefix");
        Objects.requireNonNull(lockWait, "lockWait");
        Objects.requireNonNull(commands, "commands");
        if (setThreshold < 0) {
            throw new IllegalArgumentException("setThreshold must be >= 0: " + setThreshold);
        }
    }

    // VisibleForTesting: the with* methods below and Commands.withNft set up the ITs' exporters.
    IptablesConfig withNetns(Path path) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanupOnExit, lockWait, path, commands, ipv6, setThreshold, cleanupOnUninstall);
    }

    IptablesConfig withBackend(IptablesBackend b) {
        return new IptablesConfig(enabled, b, chainPrefix, cleanupOnExit, lockWait, netns, commands, ipv6, setThreshold, cleanupOnUninstall);
    }

    IptablesConfig withCleanupOnExit(boolean cleanup) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanup, lockWait, netns, commands, ipv6, setThreshold, cleanupOnUninstall);
    }

    IptablesConfig withCommands(Commands c) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanupOnExit, lockWait, netns, c, ipv6, setThreshold, cleanupOnUninstall);
    }

    IptablesConfig withSetThreshold(int threshold) {
        return new IptablesConfig(enabled, backend, chainPrefix, cleanupOnExit, lockWait, netns, commands, ipv6, threshold, cleanupOnUninstall);
    }

    /** The programs run, by name (looked up in PATH) or path. */
    record Commands(String legacySave, String legacyRestore, String nftSave, String nftRestore, String nsenter,
                    String legacySave6, String legacyRestore6, String nftSave6, String nftRestore6, String nft) {
        static final Commands DEFAULT = new Commands("iptables-legacy-save", "iptables-legacy-restore",
                "iptables-nft-save", "iptables-nft-restore", "nsenter");

        /** IPv4 programs as given, the ip6tables ones by their default names. */
        Commands(String legacySave, String legacyRestore, String nftSave, String nftRestore, String nsenter) {
            this(legacySave, legacyRestore, nftSave, nftRestore, nsenter, "ip6tables-legacy-save", "ip6tables-legacy-restore",
                    "ip6tables-nft-save", "ip6tables-nft-restore", "nft");
        }

        Commands {
            Objects.requireNonNull(legacySave, "legacySave");
            Objects.requireNonNull(legacyRestore, "legacyRestore");
            Objects.requireNonNull(nftSave, "nftSave");
            Objects.requireNonNull(nftRestore, "nftRestore");
            Objects.requireNonNull(nsenter, "nsenter");
            Objects.requireNonNull(legacySave6, "legacySave6");
            Objects.requireNonNull(legacyRestore6, "legacyRestore6");
            Objects.requireNonNull(nftSave6, "nftSave6");
            Objects.requireNonNull(nftRestore6, "nftRestore6");
            Objects.requireNonNull(nft, "nft");
        }

        /** The same programs with the ip6tables ones in the IPv4 places, for the IPv6 side. */
        Commands ipv6() {
            return new Commands(legacySave6, legacyRestore6, nftSave6, nftRestore6, nsenter, legacySave6, legacyRestore6,
                    nftSave6, nftRestore6, nft);
        }

        Commands withNft(String program) {
            return new Commands(legacySave, legacyRestore, nftSave, nftRestore, nsenter, legacySave6, legacyRestore6, nftSave6,
                    nftRestore6, program);
        }

        String save(IptablesFamily family) {
            return family == IptablesFamily.LEGACY ? legacySave : nftSave;
        }

        String restore(IptablesFamily family) {
            return family == IptablesFamily.LEGACY ? legacyRestore : nftRestore;
        }
    }
}
