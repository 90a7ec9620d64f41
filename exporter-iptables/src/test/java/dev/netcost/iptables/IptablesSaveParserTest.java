package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real {@code iptables-legacy-save -c} / {@code iptables-nft-save -c} output, with foreign chains and comments. */
class IptablesSaveParserTest {
    private final IptablesSaveParser parser = new IptablesSaveParser(new ChainNames("NETCOST"));

    private static String fixture(String name) throws IOException {
        try (var in = IptablesSaveParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy.txt", "mangle-nft.txt"})
    void readsOnlyPodChainRules_withCommentsAndUnsignedCounters_twiceTheSame(String file) throws IOException {
        String text = fixture(file);
        for (int round = 0; round < 2; round++) {
            List<String> got = new ArrayList<>();
            ReadStatus s = parser.read(text, (chain, comment, p, b) -> got.add(chain + "|" + comment + "|" + p + "|" + b));
            assertThat(s).isEqualTo(new ReadStatus(1, 2));
            assertThat(got).containsExactly(
                    "NETCOST-E-0A0A0102|same_zone shop/web-0|10|1000",
                    "NETCOST-E-0A0A0102|cross_zone shop/web-0|20|2000",
                    "NETCOST-E-0A0A0102|cross_zone shop/web-0|30|3000",
                    "NETCOST-E-0A0A0102|internet shop/web-0|-1|9223372036854775807",
                    "NETCOST-I-0A0A0102|same_zone shop/web-0|1|100",
                    "NETCOST-I-0A0A0102|cross_zone shop/web-0|3|300",
                    "NETCOST-I-0A0A0102|cross_zone shop/web-0|4|400",
                    "NETCOST-I-0A0A0102|internet shop/web-0|2|200");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy.txt", "mangle-nft.txt"})
    void snapshotsOwnedChainsJumpsAndTheKubernetesHint(String file) throws IOException {
        MangleSnapshot s = parser.snapshot(fixture(file));
        assertThat(s.owned()).containsOnlyKeys("NETCOST", "NETCOST-E-0A0A0102", "NETCOST-I-0A0A0102");
        assertThat(s.owned().get("NETCOST")).extracting(MangleSnapshot.SavedRule::spec)
                .containsExactly("-A NETCOST -s 10.10.1.2/32 -j NETCOST-E-0A0A0102", "-A NETCOST -d 10.10.1.2/32 -j NETCOST-I-0A0A0102");
        assertThat(s.owned().get("NETCOST-E-0A0A0102").get(3).packets()).isEqualTo(-1L);
        assertThat(s.jumps()).containsExactly("-A POSTROUTING -m comment --comment netcost -j NETCOST");
        assertThat(s.foreignRules()).isEqualTo(3);
        assertThat(s.kubernetesHint()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "-A C -m comment --comment plain -j RETURN|plain",
        "-A C -m comment --comment \"two words\" -j RETURN|two words",
        "-A C -m comment --comment \"q\\\"uote\" -j RETURN|q\"uote",
        "-A C -j RETURN|null"})
    void extractsComments(String row) {
        String[] parts = row.split("\\|");
        assertThat(String.valueOf(IptablesSaveParser.comment(parts[0]))).isEqualTo(parts[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage\n[x:y] -A NETCOST-E-0A0A0102 z\n[1:2]\n[1:2] -A\n:NETCOST-E-0A0A0102"})
    void survivesTruncatedOrGarbledInput(String text) {
        List<String> got = new ArrayList<>();
        parser.read(text, (chain, comment, p, b) -> got.add(chain));
        parser.snapshot(text);
        assertThat(got).hasSizeLessThanOrEqualTo(1);
    }
}
