package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tables captured from the real kernel ({@code getsockopt(IPT_SO_GET_ENTRIES)} /
 * {@code IP6T_SO_GET_ENTRIES} in a network namespace loaded with {@code fixtures/mangle*-legacy*.txt};
 * {@link SockoptCounterReaderIT} re-captures them and checks they still parse the same). A capture is
 * the table's {@code struct ipt_getinfo} followed by its entries.
 */
class IptEntriesParserTest {
    private static final ChainNames NAMES = new ChainNames("NETCOST");

    static byte[] capture(String name) throws IOException {
        try (InputStream in = IptEntriesParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    static ReadStatus parse(IptEntriesParser parser, byte[] capture, RecordingSink into) throws IOException {
        ByteBuffer info = ByteBuffer.wrap(capture, 0, IptEntriesParser.INFO_SIZE).slice();
        ByteBuffer entries = ByteBuffer.wrap(capture, IptEntriesParser.INFO_SIZE, capture.length - IptEntriesParser.INFO_SIZE).slice();
        return parser.parse(info, entries, into);
    }

    @Test
    void readsOnlyClassChainCountingRules_byAddress_withUnsignedCounters_twiceTheSame() throws IOException {
        IptEntriesParser parser = new IptEntriesParser(NAMES);
        byte[] table = capture("mangle-legacy.ipt");
        for (int round = 0; round < 2; round++) {
            RecordingSink got = new RecordingSink();
            assertThat(parse(parser, table, got)).isEqualTo(new ReadStatus(1, 12));
            assertThat(got.lines).containsExactly(IptablesSaveParserTest.LEGACY);
        }
    }

    @Test
    void ipv6Layout_readsTheIp6tEntriesAddresses() throws IOException {
        IptEntriesParser parser = new IptEntriesParser(NAMES, IptEntriesParser.Layout.IPV6);
        RecordingSink got = new RecordingSink();
        assertThat(parse(parser, capture("mangle6-legacy.ipt"), got)).isEqualTo(new ReadStatus(1, 8));
        assertThat(got.lines).containsExactly(IptablesSaveParserTest.LEGACY6);
    }

    @Test
    void edges_gotoIsNoJump_negatedMaskedAndOtherDirectionAddressesAreNoCountingRules() throws IOException {
        // -g NETCOST is not a jump (save prints it as -g), the comment "NETCOST" is not either;
        // NETCOST-E-same and the old per-pod chain are not class chains.
        RecordingSink got = new RecordingSink();
        assertThat(parse(new IptEntriesParser(NAMES), capture("mangle-legacy-edges.ipt"), got)).isEqualTo(new ReadStatus(2, 3));
        assertThat(got.lines).containsExactly(IptablesSaveParserTest.EDGES);
    }

    @Test
    void rejectsTruncatedOrCorruptTables_withoutLooping() throws IOException {
        byte[] table = capture("mangle-legacy.ipt");
        IptEntriesParser parser = new IptEntriesParser(NAMES);
        byte[] truncated = Arrays.copyOf(table, table.length - 100);
        assertThatThrownBy(() -> parse(parser, truncated, new RecordingSink())).isInstanceOf(IOException.class)
                .hasMessageContaining("truncated");
        for (int field : new int[] {88, 90}) { // target_offset, next_offset of the first entry
            byte[] corrupt = table.clone();
            ByteBuffer.wrap(corrupt).order(ByteOrder.LITTLE_ENDIAN).putShort(IptEntriesParser.INFO_SIZE + field, (short) 0);
            assertThatThrownBy(() -> parse(parser, corrupt, new RecordingSink())).isInstanceOf(IOException.class)
                    .hasMessageContaining("malformed x_tables entry at 0");
        }
    }
}
