package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TrafficClassifierTest {
    /**
     * Node in us-east-2a. Subnets per zone as on EKS, a VPC of 10.0.0.0/16 plus an IPv6 VPC, known
     * endpoints (one contradicting its subnet, one without zone), this node's pod CIDR and a pod on it.
     */
    private static final TrafficClassifier EKS = TrafficClassifier.builder()
            .nodeZone("us-east-2a")
            .vpc(Cidr.parse("10.0.0.0/16"))
            .vpc(Cidr.parse("2600:1f16:abc::/48"))
            .zonePrefix(Cidr.parse("10.0.0.0/19"), "us-east-2a", false)
            .zonePrefix(Cidr.parse("10.0.32.0/19"), "us-east-2b", false)
            .zonePrefix(Cidr.parse("2600:1f16:abc:100::/64"), "us-east-2a", false)
            .zonePrefix(Cidr.parse("2600:1f16:abc:200::/64"), "us-east-2b", false)
            .zonePrefix(Cidr.parse("172.20.5.0/24"), "", true) // this node's pod CIDR, zone not needed
            .zonePrefix(Cidr.parse("192.168.0.0/16"), "us-east-2c", false) // a zone prefix outside the VPC
            .address(TrafficClassifier.literal("10.0.40.9"), "us-east-2a", false) // endpoint says 2a, subnet 2b
            .address(TrafficClassifier.literal("10.0.40.10"), "", false) // no zone: the subnet's
            .address(TrafficClassifier.literal("10.0.200.1"), "", false) // no zone, no zoned subnet
            .address(TrafficClassifier.literal("100.64.1.1"), "us-east-2b", false) // outside the VPC
            .address(TrafficClassifier.literal("2600:1f16:abc:200::5"), "us-east-2a", false)
            .build();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.1.5,          SAME_ZONE",  // subnet in this zone
            "10.0.33.5,         CROSS_ZONE", // subnet in another zone
            "10.0.40.9,         SAME_ZONE",  // exact endpoint beats its subnet
            "10.0.40.10,        CROSS_ZONE", // unzoned endpoint takes its subnet's zone
            "10.0.200.1,        IN_VPC",     // unzoned endpoint outside zoned subnets
            "10.0.99.1,         IN_VPC",     // VPC, not a known subnet
            "10.1.0.1,          INTERNET",   // private but outside the configured VPC
            "100.64.1.1,        CROSS_ZONE", // known endpoint anywhere
            "172.20.5.77,       SAME_ZONE",  // this node's pod CIDR
            "192.168.3.3,       CROSS_ZONE",
            "8.8.8.8,           INTERNET",
            "0.0.0.0,           INTERNET",
            "255.255.255.255,   INTERNET",
            "2600:1f16:abc:100::1,   SAME_ZONE",
            "2600:1f16:abc:200::1,   CROSS_ZONE",
            "2600:1f16:abc:200::5,   SAME_ZONE",
            "2600:1f16:abc:300::1,   IN_VPC",
            "2600:1f16:abd::1,       INTERNET",
            "fd00::1,                INTERNET",  // ULA, but a VPC is configured
            "::ffff:10.0.33.5,       CROSS_ZONE", // IPv4-mapped: classified as IPv4
            "::,                     INTERNET",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, INTERNET",
    })
    void eksLikeTable(String ip, TrafficClass expected) {
        assertThat(EKS.classify(ip)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.1.2.3,      IN_VPC",
            "172.31.255.1,  IN_VPC",
            "172.32.0.1,    INTERNET",
            "192.168.1.1,   IN_VPC",
            "100.100.1.1,   IN_VPC",
            "100.128.0.1,   INTERNET",
            "fd12::1,       IN_VPC",
            "fe80::1,       INTERNET",
            "1.1.1.1,       INTERNET",
    })
    void withoutVpcCidrs_privateRangesAreTheVpc(String ip, TrafficClass expected) {
        assertThat(TrafficClassifier.builder().build().classify(ip)).isEqualTo(expected);
    }

    @Test
    void unknownNodeZone_makesZonedRemotesInVpc_butThisNodeStaysSameZone() {
        TrafficClassifier c = TrafficClassifier.builder()
                .zonePrefix(Cidr.parse("10.0.0.0/19"), "us-east-2a", false)
                .address(TrafficClassifier.literal("10.0.64.1"), "us-east-2b", false)
                .address(TrafficClassifier.literal("10.0.64.2"), "", true)
                .build();

        assertThat(c.classify("10.0.1.1")).isEqualTo(TrafficClass.IN_VPC);
        assertThat(c.classify("10.0.64.1")).isEqualTo(TrafficClass.IN_VPC);
        assertThat(c.classify("10.0.64.2")).isEqualTo(TrafficClass.SAME_ZONE);
    }

    @Test
    void zonePrefix_beatsALongerVpcPrefix() {
        TrafficClassifier c = TrafficClassifier.builder().nodeZone("a")
                .vpc(Cidr.parse("10.1.0.0/16"))
                .zonePrefix(Cidr.parse("10.0.0.0/8"), "b", false)
                .build();

        assertThat(c.classify("10.1.2.3")).isEqualTo(TrafficClass.CROSS_ZONE);
    }

    @Test
    void duplicateAddress_nearestZoneWins_andAddressesThePrefixAlreadyAnswersAreNotStored() {
        TrafficClassifier c = TrafficClassifier.builder().nodeZone("a")
                .zonePrefix(Cidr.parse("10.0.0.0/24"), "a", false)
                .address(TrafficClassifier.literal("10.0.0.1"), "a", false) // same as its prefix: not stored
                .address(TrafficClassifier.literal("10.9.0.1"), "b", false)
                .address(TrafficClassifier.literal("10.9.0.1"), "a", false)
                .address(TrafficClassifier.literal("10.9.0.1"), "", false)
                .build();

        assertThat(c.classify("10.9.0.1")).isEqualTo(TrafficClass.SAME_ZONE);
        assertThat(c.exactEntries()).isEqualTo(1);
    }

    @Test
    void sets_areDisjointCidrsGivingTheSameAnswers() {
        ClassificationSets s = TrafficClassifier.builder().nodeZone("a")
                .vpc(Cidr.parse("10.0.0.0/16"))
                .zonePrefix(Cidr.parse("10.0.0.0/24"), "a", false)
                .address(TrafficClassifier.literal("10.0.0.7"), "b", false)
                .build().sets();

        assertThat(s.crossZone()).containsExactly(Cidr.parse("10.0.0.7/32"));
        assertThat(s.sameZone()).containsExactly(Cidr.parse("10.0.0.0/30"), Cidr.parse("10.0.0.4/31"),
                Cidr.parse("10.0.0.6/32"), Cidr.parse("10.0.0.8/29"), Cidr.parse("10.0.0.16/28"),
                Cidr.parse("10.0.0.32/27"), Cidr.parse("10.0.0.64/26"), Cidr.parse("10.0.0.128/25"));
        assertThat(s.inVpc()).containsExactly(Cidr.parse("10.0.1.0/24"), Cidr.parse("10.0.2.0/23"),
                Cidr.parse("10.0.4.0/22"), Cidr.parse("10.0.8.0/21"), Cidr.parse("10.0.16.0/20"),
                Cidr.parse("10.0.32.0/19"), Cidr.parse("10.0.64.0/18"), Cidr.parse("10.0.128.0/17"));
    }

    @Test
    void loadBalancerAddresses_beatPodsNodesEndpointsAndPrefixes_andAreTheirOwnSet() {
        LoadBalancer alb = new LoadBalancer("k8s-shared-1a2b3c4d5e", LoadBalancerType.APPLICATION, "",
                List.of(new LoadBalancer.Address("10.0.1.50", "a"), new LoadBalancer.Address("10.0.40.9", "b"),
                        new LoadBalancer.Address("2600:1f16:abc:100::50", "a")));
        TrafficClassifier c = TrafficClassifier.builder().nodeZone("a")
                .vpc(Cidr.parse("10.0.0.0/16"))
                .zonePrefix(Cidr.parse("10.0.0.0/19"), "a", false)
                .address(TrafficClassifier.literal("10.0.40.9"), "b", false) // an endpoint claiming the address
                .address(TrafficClassifier.literal("10.0.1.50"), "a", true) // even a pod on this node
                .loadBalancer(alb)
                .address(TrafficClassifier.literal("10.0.1.50"), "a", true) // added after: still the load balancer
                .build();

        assertThat(c.classify("10.0.1.50")).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(c.classify("10.0.40.9")).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(c.classify("2600:1f16:abc:100::50")).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(c.classify("::ffff:10.0.1.50")).isEqualTo(TrafficClass.LOAD_BALANCER);
        assertThat(c.classify("10.0.1.51")).isEqualTo(TrafficClass.SAME_ZONE);
        ClassificationSets s = c.sets();
        assertThat(s.loadBalancer()).containsExactly(Cidr.parse("10.0.1.50/32"), Cidr.parse("10.0.40.9/32"),
                Cidr.parse("2600:1f16:abc:100::50/128"));
        assertThat(s.cidrs(TrafficClass.LOAD_BALANCER)).isEqualTo(s.loadBalancer());
        assertThat(s.sameZone()).doesNotContain(Cidr.parse("10.0.0.0/19")).contains(Cidr.parse("10.0.1.51/32"));
        assertThat(s.inVpc()).noneMatch(cidr -> cidr.toString().equals("10.0.40.9/32"));
    }

    @Test
    void rejectsNonLiterals_withoutResolvingNames() {
        assertThatThrownBy(() -> EKS.classify("localhost")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TrafficClassifier.builder().address("example.com", "a", false)).isFalse();
        assertThat(TrafficClassifier.builder().address("10.0.0.1", "a", false)).isTrue();
        assertThat(List.of(EKS.classifyIpv4(0x08080808))).containsExactly(TrafficClass.INTERNET);
    }
}
