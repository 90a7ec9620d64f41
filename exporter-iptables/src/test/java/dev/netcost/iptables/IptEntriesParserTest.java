package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tables captured from the real kernel ({@code getsockopt(IPT_SO_GET_ENTRIES)} in a network namespace
 * loaded with {@code fixtures/mangle-legacy*.txt}; {@link SockoptCounterReaderIT} re-captures them and
 * checks they still parse the same). A capture is the table's {@code struct ipt_getinfo} followed by
 * its entries.
 */
class IptEntriesParserTest {
    private static final ChainNames NAMES = new ChainNames("NETCOST");

    static byte[] capture(String name) throws IOException {
        try (InputStream in = IptEntriesParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    static ReadStatus parse(IptEntriesParser parser, byte[] capture, List<String> into) throws IOException {
        ByteBuffer info = ByteBuffer.wrap(capture, 0, IptEntriesParser.INFO_SIZE).slice();
        ByteBuffer entries = ByteBuffer.wrap(capture, IptEntriesParser.INFO_SIZE, capture.length - IptEntriesParser.INFO_SIZE).slice();
        return parser.parse(info, entries, (chain, comment, p, b) -> into.add(chain + "|" + comment + "|" + p + "|" + b));
    }

    @Test
    void readsOnlyPodChainRules_withCommentsAndUnsignedCounters_twiceTheSame() throws IOException {
        IptEntriesParser parser = new IptEntriesParser(NAMES);
        byte[] table = capture("mangle-legacy.ipt");
        for (int round = 0; round < 2; round++) {
            List<String> got = new ArrayList<>();
            assertThat(parse(parser, table, got)).isEqualTo(new ReadStatus(1, 2));
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

    @Test
    void edges_gotoIsNoJump_emptyAndLowercaseChains_rulesWithoutOrWithTwoComments() throws IOException {
        List<String> got = new ArrayList<>();
        // -g NETCOST is not a jump (save prints it as -g), the comment "NETCOST" is not either; an empty
        // pod chain still counts; NETCOST-E-0a0a0103 is not a pod chain (lower-case hex).
        assertThat(parse(new IptEntriesParser(NAMES), capture("mangle-legacy-edges.ipt"), got)).isEqualTo(new ReadStatus(2, 2));
        assertThat(got).containsExactly(
                "NETCOST-E-0A0A0102|null|9|10",
                "NETCOST-E-0A0A0102|first one|11|12",
                "NETCOST-E-0A0A0102|in_vpc " + "n".repeat(20) + "/" + "x".repeat(200) + "|13|14",
                "NETCOST-E-0A0A0102|null|15|16");
    }

    @Test
    void reusesStringsBetweenReads_untilTheBytesChange() throws IOException {
        IptEntriesParser parser = new IptEntriesParser(NAMES);
        byte[] table = capture("mangle-legacy.ipt");
        List<String> chains = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        ByteBuffer info = ByteBuffer.wrap(table, 0, IptEntriesParser.INFO_SIZE).slice();
        ByteBuffer entries = ByteBuffer.wrap(table, IptEntriesParser.INFO_SIZE, table.length - IptEntriesParser.INFO_SIZE).slice();
        parser.parse(info, entries, (chain, comment, p, b) -> {
            chains.add(chain);
            comments.add(comment);
        });
        int at = indexOf(table, "internet shop/web-0");
        table[at] = 'I';
        List<String> again = new ArrayList<>();
        parser.parse(info, entries, (chain, comment, p, b) -> {
            assertThat(chain).isSameAs(chains.get(again.size()));
            again.add(comment);
        });
        assertThat(again.get(0)).isSameAs(comments.get(0));
        assertThat(again.get(3)).isEqualTo("Internet shop/web-0").isNotSameAs(comments.get(3));
    }

    @Test
    void rejectsTruncatedOrCorruptTables_withoutLooping() throws IOException {
        byte[] table = capture("mangle-legacy.ipt");
        IptEntriesParser parser = new IptEntriesParser(NAMES);
        byte[] truncated = Arrays.copyOf(table, table.length - 100);
        assertThatThrownBy(() -> parse(parser, truncated, new ArrayList<>())).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
        for (int field : new int[] {88, 90}) { // target_offset, next_offset of the first entry
            byte[] corrupt = table.clone();
            ByteBuffer.wrap(corrupt).order(ByteOrder.LITTLE_ENDIAN).putShort(IptEntriesParser.INFO_SIZE + field, (short) 0);
            assertThatThrownBy(() -> parse(parser, corrupt, new ArrayList<>())).isInstanceOf(IOException.class)
                    .hasMessageContaining("malformed x_tables entry at 0");
        }
    }

    /** The first occurrence: the egress chain's internet rule (built-in chains hold no such comment). */
    private static int indexOf(byte[] hay, String needle) {
        byte[] n = needle.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int i = 0; i + n.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + n.length, n, 0, n.length)) {
                return i;
            }
        }
        throw new AssertionError(needle + " not in the capture");
    }
}
