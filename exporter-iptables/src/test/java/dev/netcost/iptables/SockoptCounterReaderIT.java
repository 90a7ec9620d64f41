package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The getsockopt readers (iptables and ip6tables) against the real kernel: they report what
 * {@code ip(6)tables-legacy-save -c} reports for the fixture rulesets, and the table they capture from
 * the kernel parses exactly like the committed capture that {@link IptEntriesParserTest} uses (a fresh
 * capture is written to {@code target/captured/} to refresh the fixtures).
 */
class SockoptCounterReaderIT {
    private static final ChainNames NAMES = new ChainNames("NETCOST");

    @ParameterizedTest
    @CsvSource({"mangle-legacy,false", "mangle-legacy-edges,false", "mangle6-legacy,true"})
    void readsWhatSaveReads_andCapturesWhatTheFixtureHolds(String fixture, boolean ipv6) throws Exception {
        try (Netns ns = Netns.create("sockopt"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES, ipv6)) {
            String family = ipv6 ? "ip6tables-legacy" : "iptables-legacy";
            ns.execWithInput(IptablesSaveParserTest.fixture(fixture + ".txt"), family + "-restore", "-c", "-w", "5");
            SaveCounterReader save = new SaveCounterReader(new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30)),
                    family + "-save", NAMES);
            RecordingSink want = new RecordingSink();
            ReadStatus wantStatus = save.read(want);
            assertThat(want.lines).isNotEmpty();
            for (int round = 0; round < 2; round++) {
                RecordingSink got = new RecordingSink();
                assertThat(reader.read(got)).isEqualTo(wantStatus);
                assertThat(got.lines).isEqualTo(want.lines);
            }

            byte[] live = reader.capture();
            Path out = Path.of("target", "captured", fixture + ".ipt");
            Files.createDirectories(out.getParent());
            Files.write(out, live);
            IptEntriesParser.Layout layout = ipv6 ? IptEntriesParser.Layout.IPV6 : IptEntriesParser.Layout.IPV4;
            RecordingSink fromLive = new RecordingSink();
            RecordingSink fromCommitted = new RecordingSink();
            assertThat(IptEntriesParserTest.parse(new IptEntriesParser(NAMES, layout), live, fromLive)).isEqualTo(wantStatus);
            assertThat(IptEntriesParserTest.parse(new IptEntriesParser(NAMES, layout), IptEntriesParserTest.capture(fixture + ".ipt"),
                    fromCommitted)).isEqualTo(wantStatus);
            assertThat(fromLive.lines).isEqualTo(want.lines);
            assertThat(fromCommitted.lines).isEqualTo(want.lines);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void freshNamespace_hasNothingOfOurs(boolean ipv6) throws Exception {
        try (Netns ns = Netns.create("sockopt-empty"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES, ipv6)) {
            RecordingSink got = new RecordingSink();
            assertThat(reader.read(got)).isEqualTo(new ReadStatus(0, 0));
            assertThat(got.lines).isEmpty();
            assertThat(reader.name()).isEqualTo(ipv6 ? "sockopt6" : "sockopt");
        }
    }

    @Test
    void followsTheTableAsItGrows_beyondTheFirstBuffer() throws Exception {
        try (Netns ns = Netns.create("sockopt-grow"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES)) {
            assertThat(reader.read(new RecordingSink())).isEqualTo(new ReadStatus(0, 0));
            StringBuilder script = new StringBuilder("*mangle\n:NETCOST-I-CROSS - [0:0]\n");
            for (int i = 0; i < 1000; i++) { // 152 B per rule: well beyond the first 64 KiB buffer
                script.append('[').append(i).append(':').append(i * 10L).append("] -A NETCOST-I-CROSS -d 10.10.")
                        .append(i / 250).append('.').append(i % 250 + 1).append("/32 -j RETURN\n");
            }
            ns.execWithInput(script.append("COMMIT\n").toString(), "iptables-legacy-restore", "-c", "--noflush", "-w", "5");
            RecordingSink got = new RecordingSink();
            assertThat(reader.read(got)).isEqualTo(new ReadStatus(0, 1000));
            assertThat(got.lines).hasSize(1000).startsWith("ingress cross_zone 10.10.0.1 0 0")
                    .endsWith("ingress cross_zone 10.10.3.250 999 9990");
        }
    }
}
