package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChainNamesTest {
    private final ChainNames names = new ChainNames("NETCOST");

    @Test
    void podChainNamesCarryDirectionAndAddressInHex_andParseBack() {
        int ip = ChainNames.parseIpv4("10.0.1.7");
        assertThat(names.podChain(Direction.EGRESS, ip)).isEqualTo("NETCOST-E-0A000107");
        assertThat(names.podChain(Direction.INGRESS, ChainNames.parseIpv4("255.1.2.254"))).isEqualTo("NETCOST-I-FF0102FE");
        assertThat(names.direction("NETCOST-I-FF0102FE")).isEqualTo(Direction.INGRESS);
        assertThat(ChainNames.ipv4ToString(names.ipv4("NETCOST-I-FF0102FE"))).isEqualTo("255.1.2.254");
    }

    @Test
    void ownsOnlyItsMainChainAndWellFormedPodChains() {
        assertThat(names.isOwned("NETCOST")).isTrue();
        assertThat(names.isOwned("NETCOST-E-0A000107")).isTrue();
        assertThat(names.isOwned("NETCOSTX")).isFalse();
        assertThat(names.isOwned("NETCOST-X-0A000107")).isFalse();
        assertThat(names.isOwned("NETCOST-E-0a000107")).isFalse();
        assertThat(names.isOwned("NETCOST-E-0A00010")).isFalse();
        assertThat(names.isOwned("KUBE-SERVICES")).isFalse();
    }

    @Test
    void longestPrefixStillFitsTheKernelsChainNameLimit() {
        ChainNames longest = new ChainNames("A".repeat(ChainNames.MAX_PREFIX));
        assertThat(longest.podChain(Direction.EGRESS, -1)).hasSize(ChainNames.MAX_CHAIN_NAME);
        assertThatThrownBy(() -> new ChainNames("A".repeat(ChainNames.MAX_PREFIX + 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesOnlyDottedIpv4() {
        assertThat(ChainNames.parseIpv4("0.0.0.0")).isZero();
        assertThat(ChainNames.parseIpv4("255.255.255.255")).isEqualTo(-1);
        assertThat(ChainNames.parseIpv4("fd00::1")).isNull();
        assertThat(ChainNames.parseIpv4("1.2.3")).isNull();
        assertThat(ChainNames.parseIpv4("1.2.3.256")).isNull();
        assertThat(ChainNames.parseIpv4("1..2.3")).isNull();
    }
}
