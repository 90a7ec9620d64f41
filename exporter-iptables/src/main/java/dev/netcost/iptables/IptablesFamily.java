package dev.netcost.iptables;

/** The two iptables implementations a node may use; both can be present, the node's rules live in one. */
enum IptablesFamily {
    LEGACY("legacy"),
    NFT("nft");

    private final String label;

    IptablesFamily(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
