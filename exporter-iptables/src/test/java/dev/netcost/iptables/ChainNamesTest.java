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

    @Test
    void ipv6PodChains_areStableHashesWithinTheLimit_andRecognisedAsOwned() {
        ChainNames names = new ChainNames("NETCOST");
        byte[] a = ChainNames.parseIpv6("fd00::7");
        String e = names.podChain6(Direction.EGRESS, a);
        assertThat(names.podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00:10:1::2"))).isEqualTo("NETCOST-E6-CTRNQPP");
        assertThat(e).isEqualTo(new ChainNames("NETCOST").podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00:0::0:7")))
                .matches("NETCOST-E6-[A-Z2-7]{7}");
        assertThat(names.podChain6(Direction.INGRESS, a)).isEqualTo("NETCOST-I6-" + e.substring(11));
        assertThat(names.podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00::8"))).isNotEqualTo(e);
        assertThat(names.isPodChain(e)).isTrue();
        assertThat(names.isIpv6PodChain(e)).isTrue();
        assertThat(names.isOwned(e)).isTrue();
        assertThat(names.direction(e)).isEqualTo(Direction.EGRESS);
        assertThat(names.isIpv6PodChain("NETCOST-E-0A000107")).isFalse();
        assertThat(names.isPodChain("NETCOST-E6-ABCDEF1")).isFalse();
        assertThat(names.isPodChain("NETCOST-X6-ABCDEFG")).isFalse();
        ChainNames longest = new ChainNames("P".repeat(ChainNames.MAX_PREFIX));
        assertThat(longest.podChain6(Direction.INGRESS, a)).hasSize(ChainNames.MAX_CHAIN_NAME);
    }

    @Test
    void ipv6Text_isWhatIp6tablesSavePrints() {
        assertThat(text("fd00:0:0:1:0:0:0:7")).isEqualTo("fd00:0:0:1::7");
        assertThat(text("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(text("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(text("::")).isEqualTo("::");
        assertThat(text("::1")).isEqualTo("::1");
        assertThat(text("fe80::")).isEqualTo("fe80::");
        assertThat(text("FD00:00AB::0001")).isEqualTo("fd00:ab::1");
        assertThat(text("::1.2.3.4")).isEqualTo("::1.2.3.4");
        assertThat(text("0:0:0:0:0:ffff:a00:1")).isNull(); // Java folds IPv4-mapped literals to IPv4: not a v6 pod IP
        assertThat(ChainNames.ipv6ToString(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 10, 0, 0, 1}))
                .isEqualTo("::ffff:10.0.0.1");
        assertThat(ChainNames.parseIpv6("10.0.0.1")).isNull();
        assertThat(ChainNames.parseIpv6("fe80::1%eth0")).isNull();
        assertThat(ChainNames.parseIpv6("example.com")).isNull();
    }

    private static String text(String literal) {
        byte[] a = ChainNames.parseIpv6(literal);
        return a == null ? null : ChainNames.ipv6ToString(a);
    }
}
