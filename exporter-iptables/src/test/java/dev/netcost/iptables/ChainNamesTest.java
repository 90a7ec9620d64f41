package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.k8s.TrafficClass;
import org.junit.jupiter.api.Test;

class ChainNamesTest {
    private final ChainNames names = new ChainNames("NETCOST");

    @Test
    void classChainsCarryDirectionAndClass_andMapBackFromTheirIndex() {
        assertThat(names.classify(Direction.EGRESS)).isEqualTo("NETCOST-EGRESS");
        assertThat(names.classify(Direction.INGRESS)).isEqualTo("NETCOST-INGRESS");
        assertThat(names.classChain(Direction.EGRESS, TrafficClass.SAME_ZONE)).isEqualTo("NETCOST-E-SAME");
        assertThat(names.classChain(Direction.INGRESS, TrafficClass.CROSS_ZONE)).isEqualTo("NETCOST-I-CROSS");
        assertThat(names.classChain(Direction.EGRESS, TrafficClass.IN_VPC)).isEqualTo("NETCOST-E-VPC");
        assertThat(names.classChain(Direction.INGRESS, TrafficClass.INTERNET)).isEqualTo("NETCOST-I-INET");
        for (int i = 0; i < ChainNames.classChainCount(); i++) {
            String chain = names.classChain(i);
            assertThat(names.classChainIndex(chain)).isEqualTo(i);
            assertThat(names.classChain(ChainNames.direction(i), ChainNames.trafficClass(i))).isEqualTo(chain);
        }
        assertThat(names.classChainIndex("NETCOST-E-same")).isEqualTo(-1);
        assertThat(names.classChainIndex("NETCOST-EGRESS")).isEqualTo(-1);
    }

    @Test
    void ownsItsLayoutsChainsAndTheOldPerPodChains_onlyThose() {
        assertThat(names.isOwned("NETCOST")).isTrue();
        assertThat(names.isOwned("NETCOST-EGRESS")).isTrue();
        assertThat(names.isOwned("NETCOST-INGRESS")).isTrue();
        assertThat(names.isOwned("NETCOST-I-VPC")).isTrue();
        assertThat(names.isOwned("NETCOST-E-0A000107")).isTrue(); // per-pod chains of earlier versions: removed on upgrade
        assertThat(names.isOwned("NETCOST-I6-CTRNQPP")).isTrue();
        assertThat(names.isOwned("NETCOSTX")).isFalse();
        assertThat(names.isOwned("NETCOST-X-0A000107")).isFalse();
        assertThat(names.isOwned("NETCOST-E-0a000107")).isFalse();
        assertThat(names.isOwned("NETCOST-E-0A00010")).isFalse();
        assertThat(names.isOwned("NETCOST-E6-ABCDEF1")).isFalse();
        assertThat(names.isOwned("NETCOST-E-LOCAL")).isFalse();
        assertThat(names.isOwned("KUBE-SERVICES")).isFalse();
    }

    @Test
    void longestPrefixStillFitsTheKernelsChainNameLimit() {
        ChainNames longest = new ChainNames("A".repeat(ChainNames.MAX_PREFIX));
        assertThat(longest.classify(Direction.INGRESS)).hasSizeLessThanOrEqualTo(ChainNames.MAX_CHAIN_NAME);
        for (int i = 0; i < ChainNames.classChainCount(); i++) {
            assertThat(longest.classChain(i)).hasSizeLessThanOrEqualTo(ChainNames.MAX_CHAIN_NAME);
        }
        assertThat(longest.isOwned("A".repeat(ChainNames.MAX_PREFIX) + "-E-0A000107")).isTrue();
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
        // In place, within a line: only the given range counts; the value is unsigned.
        assertThat(ChainNames.parseIpv4("-s 255.255.255.255/32", 3, 18)).isEqualTo(0xFFFFFFFFL);
        assertThat(ChainNames.parseIpv4("-s 10.10.1.2/32", 3, 12)).isEqualTo(0x0A0A0102L);
        assertThat(ChainNames.parseIpv4("-s 10.10.1.2/32", 3, 13)).isEqualTo(-1);
        assertThat(ChainNames.parseIpv4("-s 10.10.1.2/32", 3, 3)).isEqualTo(-1);
    }

    @Test
    void addressesOfEitherFamily_roundTripThroughTheirText() {
        assertThat(ChainNames.parseAddress("10.10.1.2", false)).containsExactly(10, 10, 1, 2);
        assertThat(ChainNames.parseAddress("10.10.1.2", true)).isNull();
        assertThat(ChainNames.parseAddress("fd00::1", false)).isNull();
        assertThat(ChainNames.addressToString(ChainNames.parseAddress("255.0.10.1", false))).isEqualTo("255.0.10.1");
        assertThat(ChainNames.addressToString(ChainNames.parseAddress("FD00:0:0::1", true))).isEqualTo("fd00::1");
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
