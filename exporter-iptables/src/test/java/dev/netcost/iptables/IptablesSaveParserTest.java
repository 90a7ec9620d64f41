package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real {@code iptables-legacy-save -c} / {@code iptables-nft-save -c} / {@code ip6tables-legacy-save -c} output, with foreign chains. */
class IptablesSaveParserTest {
    private final IptablesSaveParser parser = new IptablesSaveParser(new ChainNames("NETCOST"));

    static String fixture(String name) throws IOException {
        try (var in = IptablesSaveParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** The counters of fixtures/mangle-legacy.txt, in table order. */
    static final String[] LEGACY = {
        "egress cross_zone 10.10.1.2 20 2000",
        "egress cross_zone 10.10.1.3 21 2100",
        "egress internet 10.10.1.2 18446744073709551615 9223372036854775807",
        "egress internet 10.10.1.3 0 0",
        "egress same_zone 10.10.1.2 10 1000",
        "egress same_zone 10.10.1.3 11 1100",
        "ingress cross_zone 10.10.1.2 3 300",
        "ingress cross_zone 10.10.1.3 4 400",
        "ingress internet 10.10.1.2 5 500",
        "ingress internet 10.10.1.3 6 600",
        "ingress same_zone 10.10.1.2 1 100",
        "ingress same_zone 10.10.1.3 2 200"};

    /** The counting rules of fixtures/mangle6-legacy.txt: /64 and the old per-pod chain are not. */
    static final String[] LEGACY6 = {
        "egress cross_zone fd00:10:1::2 10 1000",
        "egress cross_zone 2001:db8:1:2:3:4:5:6 11 1100",
        "egress internet fd00:10:1::2 20 2000",
        "egress internet 2001:db8:1:2:3:4:5:6 18446744073709551615 9223372036854775807",
        "ingress cross_zone fd00:10:1::2 3 300",
        "ingress cross_zone ::ffff:10.1.2.3 4 400",
        "ingress internet fd00:10:1::2 5 500",
        "ingress internet :: 6 600"};

    /** fixtures/mangle-legacy-edges.txt: only full, plain pod addresses of the chain's direction count. */
    static final String[] EDGES = {
        "egress in_vpc 10.10.1.2 9 10",
        "egress in_vpc 10.10.1.5 17 18",
        "ingress in_vpc 10.10.1.7 21 22"};

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy.txt", "mangle-nft.txt"})
    void readsClassChainCountingRules_byAddressDirectionAndClass_withUnsignedCounters_twiceTheSame(String file) throws IOException {
        String text = fixture(file);
        for (int round = 0; round < 2; round++) {
            RecordingSink got = new RecordingSink();
            assertThat(parser.read(text, got)).isEqualTo(new ReadStatus(1, 12));
            assertThat(got.lines).containsExactly(LEGACY);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mangle6-legacy.txt"})
    void readsIpv6Addresses_inEveryTextForm(String file) throws IOException {
        RecordingSink got = new RecordingSink();
        assertThat(parser.read(fixture(file), got)).isEqualTo(new ReadStatus(1, 8));
        assertThat(got.lines).containsExactly(LEGACY6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy-edges.txt"})
    void edges_gotoIsNoJump_negatedMaskedAndOtherDirectionAddressesAreNoCountingRules(String file) throws IOException {
        RecordingSink got = new RecordingSink();
        assertThat(parser.read(fixture(file), got)).isEqualTo(new ReadStatus(2, 3));
        assertThat(got.lines).containsExactly(EDGES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy.txt", "mangle-nft.txt"})
    void snapshotsOwnedChainsJumpsAndTheKubernetesHint(String file) throws IOException {
        MangleSnapshot s = parser.snapshot(fixture(file));
        assertThat(s.owned()).containsOnlyKeys("NETCOST", "NETCOST-EGRESS", "NETCOST-INGRESS", "NETCOST-E-SAME", "NETCOST-E-CROSS",
                "NETCOST-E-INET", "NETCOST-I-SAME", "NETCOST-I-CROSS", "NETCOST-I-INET");
        assertThat(s.owned().get("NETCOST")).extracting(MangleSnapshot.SavedRule::spec)
                .containsExactly("-A NETCOST -j NETCOST-EGRESS", "-A NETCOST -j NETCOST-INGRESS");
        assertThat(s.owned().get("NETCOST-E-INET").get(0).packets()).isEqualTo(-1L);
        assertThat(s.owned().get("NETCOST-E-INET").get(0).spec()).isEqualTo("-A NETCOST-E-INET -s 10.10.1.2/32 -j RETURN");
        assertThat(s.jumps()).containsExactly("-A POSTROUTING -m comment --comment netcost -j NETCOST");
        assertThat(s.foreignRules()).isEqualTo(3);
        assertThat(s.kubernetesHint()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage\n[x:y] -A NETCOST-E-SAME z\n[1:2]\n[1:2] -A\n:NETCOST-E-SAME\n[1:2] -A NETCOST-E-SAME -s",
        "[1:2] -A NETCOST-E-SAME -s 1.2.3/32\n[1:2] -A NETCOST-E-SAME -s 1.2.3.4.5/32\n[1:2] -A NETCOST-E-SAME -s 1:2:3/128",
        "[1:2] -A NETCOST-E-SAME -s 1::2::3/128\n[1:2] -A NETCOST-E-SAME -s :1/128\n[1:2] -A NETCOST-E-SAME -s 12345::/128",
        "[1:2] -A NETCOST-E-SAME -s 1:2:3:4:5:6:7:8:9/128\n[1:2] -A NETCOST-E-SAME -s 1.2.3.4/128\n[1:2] -A NETCOST-E-SAME -s ::g/128"})
    void survivesTruncatedOrGarbledInput_countingNothing(String text) {
        RecordingSink got = new RecordingSink();
        assertThat(parser.read(text, got)).isEqualTo(new ReadStatus(0, 0));
        parser.snapshot(text);
        assertThat(got.lines).isEmpty();
    }
}
