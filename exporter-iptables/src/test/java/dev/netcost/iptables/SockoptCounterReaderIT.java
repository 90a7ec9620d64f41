package dev.netcost.iptables;

// TODO(integrator): CounterSink→RuleSink renamed to compile on branch wt-nft.

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The getsockopt reader against the real kernel: it reports what {@code iptables-legacy-save -c}
 * reports for the fixture rulesets, and the table it captures from the kernel parses exactly like the
 * committed capture that {@link IptEntriesParserTest} uses (a fresh capture is written to
 * {@code target/captured/} to refresh the fixtures).
 */
class SockoptCounterReaderIT {
    private static final ChainNames NAMES = new ChainNames("NETCOST");

    @ParameterizedTest
    @ValueSource(strings = {"mangle-legacy", "mangle-legacy-edges"})
    void readsWhatSaveReads_andCapturesWhatTheFixtureHolds(String fixture) throws Exception {
        try (Netns ns = Netns.create("sockopt"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES)) {
            ns.execWithInput(resource(fixture + ".txt"), "iptables-legacy-restore", "-c", "-w", "5");
            SaveCounterReader save = new SaveCounterReader(new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30)),
                    "iptables-legacy-save", NAMES);
            List<String> want = new ArrayList<>();
            ReadStatus wantStatus = save.read(collect(want));
            assertThat(want).isNotEmpty();
            for (int round = 0; round < 2; round++) {
                List<String> got = new ArrayList<>();
                assertThat(reader.read(collect(got))).isEqualTo(wantStatus);
                assertThat(got).isEqualTo(want);
            }

            byte[] live = reader.capture();
            Path out = Path.of("target", "captured", fixture + ".ipt");
            Files.createDirectories(out.getParent());
            Files.write(out, live);
            List<String> fromLive = new ArrayList<>();
            List<String> fromCommitted = new ArrayList<>();
            assertThat(IptEntriesParserTest.parse(new IptEntriesParser(NAMES), live, fromLive)).isEqualTo(wantStatus);
            assertThat(IptEntriesParserTest.parse(new IptEntriesParser(NAMES), IptEntriesParserTest.capture(fixture + ".ipt"),
                    fromCommitted)).isEqualTo(wantStatus);
            assertThat(fromLive).isEqualTo(want);
            assertThat(fromCommitted).isEqualTo(want);
        }
    }

    @Test
    void freshNamespace_hasNothingOfOurs() throws Exception {
        try (Netns ns = Netns.create("sockopt-empty"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES)) {
            List<String> got = new ArrayList<>();
            assertThat(reader.read(collect(got))).isEqualTo(new ReadStatus(0, 0));
            assertThat(got).isEmpty();
        }
    }

    @Test
    void followsTheTableAsItGrows_beyondTheFirstBuffer() throws Exception {
        try (Netns ns = Netns.create("sockopt-grow"); NetnsThread thread = new NetnsThread(ns.path());
             SockoptCounterReader reader = SockoptCounterReader.open(thread, NAMES)) {
            assertThat(reader.read(collect(new ArrayList<>()))).isEqualTo(new ReadStatus(0, 0));
            StringBuilder script = new StringBuilder("*mangle\n:NETCOST-E-0A0A0102 - [0:0]\n");
            for (int i = 0; i < 400; i++) { // ~400 B per rule: well beyond the first 64 KiB buffer
                script.append('[').append(i).append(':').append(i * 10L).append("] -A NETCOST-E-0A0A0102 -m comment --comment \"internet ns/p")
                        .append(i).append("\" -j RETURN\n");
            }
            ns.execWithInput(script.append("COMMIT\n").toString(), "iptables-legacy-restore", "-c", "--noflush", "-w", "5");
            List<String> got = new ArrayList<>();
            assertThat(reader.read(collect(got))).isEqualTo(new ReadStatus(0, 1));
            assertThat(got).hasSize(400).startsWith("NETCOST-E-0A0A0102|internet ns/p0|0|0").endsWith("NETCOST-E-0A0A0102|internet ns/p399|399|3990");
        }
    }

    private static RuleSink collect(List<String> into) {
        return (chain, comment, p, b) -> into.add(chain + "|" + comment + "|" + p + "|" + b);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SockoptCounterReaderIT.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
