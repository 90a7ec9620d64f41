package dev.netcost.iptables;

/** The {@code iptables.backend} setting: which iptables family holds netcost's rules and how counters are read. */
enum IptablesBackend {
    /** Detect the family like kube-proxy's iptables-wrapper; read natively, falling back to {@code *-save -c}. */
    AUTO("auto"),
    /** iptables-legacy (x_tables); counters read with getsockopt(IPT_SO_GET_ENTRIES). */
    LEGACY("legacy"),
    /**
     * nf_tables: named counters in netcost's own table, read over netlink ({@link NftTables}); when nft or
     * netlink does not work, counting rules in iptables-nft read with {@code iptables-nft-save -c}.
     */
    NFT("nft"),
    /** The detected family, counters always read by parsing {@code iptables-*-save -c}. */
    SAVE("save");

    private final String key;

    IptablesBackend(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    static IptablesBackend parse(String text) {
        for (IptablesBackend b : values()) {
            if (b.key.equals(text)) {
                return b;
            }
        }
        return null;
    }
}
