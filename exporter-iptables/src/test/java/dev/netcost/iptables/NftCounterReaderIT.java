package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.netcost.core.k8s.ClassificationSets;
import org.junit.jupiter.api.Test;

/**
 * The netlink reader against the real kernel on the fixture ruleset: it reports what
 * {@code iptables-nft-save -c} reports, read after read, and hands out the same chain and comment
 * Strings while the rules stay the same.
 */
class NftCounterReaderIT {
    private static final ChainNames NAMES = new ChainNames("NETCOST");

    @Test
    void readsWhatSaveReads_reusingItsStringsBetweenReads() throws Exception {
        try (Netns ns = Netns.create("netlink"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader reader = NftCounterReader.open(thread, NAMES)) {
            ns.execWithInput(resource("mangle-nft.txt"), "iptables-nft-restore", "-c", "-w", "5");
            SaveCounterReader save = new SaveCounterReader(new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30)),
                    "iptables-nft-save", NAMES);
            List<String> want = new ArrayList<>();
            ReadStatus wantStatus = save.read((chain, comment, p, b) -> want.add(chain + "|" + comment + "|" + p + "|" + b));
            assertThat(wantStatus).isEqualTo(new ReadStatus(1, 2));

            List<String[]> first = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                List<String> got = new ArrayList<>();
                List<String[]> strings = new ArrayList<>();
                assertThat(reader.read((chain, comment, p, b) -> {
                    got.add(chain + "|" + comment + "|" + p + "|" + b);
                    strings.add(new String[] {chain, comment});
                })).isEqualTo(wantStatus);
                assertThat(got).isEqualTo(want);
                if (round == 0) {
                    first.addAll(strings);
                } else {
                    for (int i = 0; i < strings.size(); i++) {
                        assertThat(strings.get(i)[0]).isSameAs(first.get(i)[0]);
                        assertThat(strings.get(i)[1]).isSameAs(first.get(i)[1]);
                    }
                }
            }
        }
    }

    @Test
    void freshNamespace_hasNothingOfOurs() throws Exception {
        try (Netns ns = Netns.create("netlink-empty"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader reader = NftCounterReader.open(thread, NAMES)) {
            List<String> got = new ArrayList<>();
            assertThat(reader.read((chain, comment, p, b) -> got.add(chain))).isEqualTo(new ReadStatus(0, 0));
            assertThat(got).isEmpty();
        }
    }

    @Test
    void ipv6Table_readsWhatIp6tablesNftSaveReads_andTheIpv4ReaderSeesNoneOfIt() throws Exception {
        AccountingRules rules = AccountingRules.build(NAMES, List.of(TestMetadata.pod("shop", "web-0", "10.10.1.2", "fd00:10:1::2"),
                        TestMetadata.pod("shop", "six-0", "fd00:10:3::2")),
                new ClassificationSets(TestMetadata.cidrs("fd00:10::/32"), TestMetadata.cidrs("fd00:20::/32"),
                        TestMetadata.cidrs("fd00::/8")), true);
        // ip6tables-nft (1.8.9) ignores counters given to restore, so the counters come from real packets.
        String script = new RestorePlanner(NAMES).plan(new MangleSnapshot(Map.of(), List.of(), 0, false), rules);
        try (Netns ns = Netns.create("netlink6"); NetnsThread thread = new NetnsThread(ns.path());
             NftCounterReader v6 = NftCounterReader.open(thread, NAMES, true);
             NftCounterReader v4 = NftCounterReader.open(thread, NAMES, false)) {
            ns.execWithInput(script, "ip6tables-nft-restore", "--noflush", "-c", "-w", "5");
            ns.exec("ip", "-6", "addr", "add", "fd00:10:1::2/128", "dev", "lo", "nodad");
            ns.execWithInput("x".repeat(300), "socat", "-u", "-b", "100", "STDIN", "UDP6-SENDTO:[fd00:10:1::2]:9");
            SaveCounterReader save = new SaveCounterReader(new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30)),
                    "ip6tables-nft-save", NAMES);
            List<String> want = new ArrayList<>();
            ReadStatus wantStatus = save.read((chain, comment, p, b) -> want.add(chain + "|" + comment + "|" + p + "|" + b));
            assertThat(wantStatus).isEqualTo(new ReadStatus(1, 4));
            assertThat(want).hasSize(16) // three 148-byte datagrams (and the port-unreachable answers) to itself
                    .anyMatch(r -> r.startsWith("NETCOST-E6-CTRNQPP|same_zone shop/web-0|") && !r.endsWith("|0"))
                    .anyMatch(r -> r.startsWith("NETCOST-I6-CTRNQPP|same_zone shop/web-0|") && !r.endsWith("|0"));
            List<String> got = new ArrayList<>();
            assertThat(v6.read((chain, comment, p, b) -> got.add(chain + "|" + comment + "|" + p + "|" + b))).isEqualTo(wantStatus);
            assertThat(got).isEqualTo(want);
            assertThat(v4.read((chain, comment, p, b) -> got.add(chain))).isEqualTo(new ReadStatus(0, 0));
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NftCounterReaderIT.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
