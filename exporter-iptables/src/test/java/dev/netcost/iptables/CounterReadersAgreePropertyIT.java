package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.model.Labels;
import dev.netcost.core.testing.MutableClusterMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * The readers — x_tables getsockopt (iptables and ip6tables), {@code iptables-legacy-save -c} and
 * {@code iptables-nft-save -c} (and their ip6tables programs), and the {@code nft} backend's netlink
 * and {@code nft list counters} readers of netcost's own table — report exactly the counters that were loaded, and so the same
 * samples, for random dual-stack pods, class sets and counters, loaded into both iptables families of
 * one namespace next to look-alike foreign chains that must be ignored, and as the same values into
 * the nft table. With random load balancers (IPv4 and IPv6 ENI addresses in this node's zone, another
 * or none; targets unknown, some namespaces or none), whose per-pod chains and counters (and the
 * {@code load_balancer} class counters of pods outside their targets) every reader reports the same way too.
 * ip6tables-nft-restore 1.8.9 ignores the {@code [packets:bytes]} it is given, so the
 * iptables-nft IPv6 table is checked with zero counters and left out of the samples comparison.
 */
class CounterReadersAgreePropertyIT {
    private static final ChainNames NAMES = new ChainNames("NETCOST");
    private static Netns ns;
    private static CommandRunner runner;
    private static NetnsThread thread;
    private static SockoptCounterReader sockopt;
    private static SockoptCounterReader sockopt6;
    private static NftCounterReader netlink;

    @BeforeAll
    static void setUp() throws Exception {
        ns = Netns.create("readers");
        runner = new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30));
        thread = new NetnsThread(ns.path());
        for (String family : List.of("legacy", "nft")) {
            for (boolean v6 : new boolean[] {false, true}) {
                String addr = v6 ? "fd00::1/128" : "10.10.1.1/32";
                String iptables = (v6 ? "ip6tables-" : "iptables-") + family;
                ns.exec(iptables, "-w", "-t", "mangle", "-N", "NETCOSTX");
                ns.exec(iptables, "-w", "-t", "mangle", "-N", "NETCOST-E-same");
                ns.exec(iptables, "-w", "-t", "mangle", "-N", "NETCOST-E-0A0A0101");
                ns.exec(iptables, "-w", "-t", "mangle", "-A", "NETCOSTX", "-s", addr, "-j", "RETURN");
                ns.exec(iptables, "-w", "-t", "mangle", "-A", "NETCOST-E-same", "-s", addr, "-j", "RETURN");
                ns.exec(iptables, "-w", "-t", "mangle", "-A", "NETCOST-E-0A0A0101", "-s", addr, "-j", "RETURN");
                ns.exec(iptables, "-w", "-t", "mangle", "-A", "POSTROUTING", "-j", "NETCOSTX");
                ns.exec(iptables, "-w", "-t", "mangle", "-A", "PREROUTING", "-s", addr, "-j", "RETURN");
            }
        }
        sockopt = SockoptCounterReader.open(thread, NAMES, false);
        sockopt6 = SockoptCounterReader.open(thread, NAMES, true);
        ns.exec("nft", "add", "table", "inet", "netcostx");
        ns.exec("nft", "add", "counter", "inet", "netcostx", "e4-same_zone-0a0a0101");
        netlink = NftCounterReader.open(thread, NftRuleset.tableName(NAMES));
    }

    @AfterAll
    static void tearDown() {
        if (sockopt != null) {
            sockopt.close();
        }
        if (sockopt6 != null) {
            sockopt6.close();
        }
        if (netlink != null) {
            netlink.close();
        }
        if (thread != null) {
            thread.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private record Case(List<PodInfo> pods, List<Cidr> same, List<Cidr> cross, List<Cidr> vpc, List<LoadBalancer> lbs,
                        long seed) {
    }

    /** Up to three load balancers with one to three addresses each, unique, in zone-a, zone-b or none; targets: {@link #targets}. */
    private static Gen<List<LoadBalancer>> loadBalancers() {
        return lists().of(lists().of(integers().between(0, 511).zip(integers().between(0, 2), (a, z) -> new LoadBalancer.Address(
                a < 256 ? "10.0.9." + a : "fd00:ff::" + Integer.toHexString(a), List.of("zone-a", "zone-b", "").get(z))))
                .ofSizeBetween(1, 3)).ofSizeBetween(0, 3).map(lists -> {
                    List<LoadBalancer> out = new ArrayList<>();
                    Set<String> seen = new HashSet<>();
                    for (int i = 0; i < lists.size(); i++) {
                        List<LoadBalancer.Address> unique = lists.get(i).stream().filter(a -> seen.add(a.ip())).toList();
                        if (!unique.isEmpty()) {
                            out.add(new LoadBalancer("k8s-lb" + i, i % 2 == 0 ? LoadBalancerType.APPLICATION : LoadBalancerType.NETWORK,
                                    "", unique, targets(i)));
                        }
                    }
                    return out;
                });
    }

    /** The first load balancer's targets are unknown, the second's the namespaces ns-a to ns-m, the third's none. */
    private static LoadBalancer.Targets targets(int i) {
        if (i == 0) {
            return LoadBalancer.Targets.UNKNOWN;
        }
        List<LoadBalancer.Target> t = new ArrayList<>();
        for (char c = 'a'; i == 1 && c <= 'm'; c++) {
            t.add(new LoadBalancer.Target("ns-" + c, Map.of()));
        }
        return LoadBalancer.Targets.of(t);
    }

    private static Gen<PodInfo> pods() {
        return integers().between(0, 3).zip(integers().between(1, 254), strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 40),
                (o3, o4, name) -> switch (o4 % 3) {
                    case 0 -> TestMetadata.pod("ns-" + name.charAt(0), name, "10.10." + o3 + "." + o4);
                    case 1 -> TestMetadata.pod("ns-" + name.charAt(0), name, "fd00:10:" + o3 + "::" + Integer.toHexString(o4));
                    default -> TestMetadata.pod("ns-" + name.charAt(0), name, "10.10." + o3 + "." + o4,
                            "fd00:10:" + o3 + "::" + Integer.toHexString(o4));
                });
    }

    private static Gen<List<Cidr>> cidrs() {
        return lists().of(integers().between(0, 255).zip(integers().between(0, 255), integers().between(0, 32), integers().between(0, 1),
                (a, b, p, v6) -> v6 == 0 ? Cidr.parse("10." + a + "." + b + ".0/" + p)
                        : Cidr.parse("fd00:" + Integer.toHexString(a) + ":" + Integer.toHexString(b) + "::/" + (p * 4)))).ofSizeBetween(0, 3);
    }

    @Test
    void everyReaderReportsTheLoadedCounters_andTheSameSamples() {
        Gen<Case> cases = lists().of(pods()).ofSizeBetween(0, 6).zip(cidrs(), cidrs(), cidrs(),
                (p, s, c, v) -> new Object[] {p, s, c, v}).zip(loadBalancers(), longs().all(), (o, lbs, seed) -> {
                    @SuppressWarnings("unchecked")
                    Case k = new Case((List<PodInfo>) o[0], (List<Cidr>) o[1], (List<Cidr>) o[2], (List<Cidr>) o[3], lbs, seed);
                    return k;
                });
        qt().withExamples(25).forAll(cases).checkAssert(c -> {
            try {
                check(c);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    /** The restore input loading {@code rules} with random counters; the expected reader lines go to {@code expected}. */
    private static String script(AccountingRules rules, Random random, List<String> expected) {
        StringBuilder script = new StringBuilder("*mangle\n:NETCOST - [0:0]\n:NETCOST-EGRESS - [0:0]\n:NETCOST-INGRESS - [0:0]\n");
        rules.classChains().keySet().forEach(chain -> script.append(':').append(chain).append(" - [0:0]\n"));
        rules.mainRules().forEach(r -> script.append(r).append('\n'));
        for (Direction d : Direction.values()) {
            rules.classifyRules(d).forEach(r -> script.append(r).append('\n'));
        }
        for (AccountingRules.ClassChain chain : rules.classChains().values()) {
            for (AccountingRules.CountingRule r : chain.rules()) {
                long p = random.nextBoolean() ? random.nextInt(1000) : random.nextLong();
                long b = random.nextBoolean() ? random.nextInt(1_000_000) : random.nextLong();
                script.append('[').append(Long.toUnsignedString(p)).append(':').append(Long.toUnsignedString(b)).append("] ")
                        .append(r.spec()).append('\n');
                expected.add(chain.loadBalancerKind() == null
                        ? RecordingSink.line(chain.direction(), chain.trafficClass(), r.address(), p, b)
                        : RecordingSink.lbLine(chain.loadBalancerKind(), chain.loadBalancerKind() == LoadBalancerCounter.CONNECTIONS
                                ? null : chain.trafficClass(), chain.loadBalancerId(), r.address(), p, b));
            }
            if (chain.tail() != null) { // not a counting rule: every reader skips it
                script.append("[7:700] ").append(chain.tail()).append('\n');
            }
        }
        return script.append(rules.jumpRule()).append("\nCOMMIT\n").toString();
    }

    private static void check(Case c) throws Exception {
        MutableClusterMetadata md = TestMetadata.of("node-1", "zone-a").sets(c.same(), c.cross(), c.vpc())
                .pods(c.pods().toArray(PodInfo[]::new)).loadBalancers(c.lbs());
        LoadBalancerIndex lbs = LoadBalancerIndex.build(md.loadBalancers(), md.nodeZone());
        AccountingRules rules4 = AccountingRules.build(NAMES, md.localPods(), md.classificationSets(), lbs, false,
                AccountingRules.NO_SETS);
        AccountingRules rules6 = AccountingRules.build(NAMES, md.localPods(), md.classificationSets(), lbs, true,
                AccountingRules.NO_SETS);
        Random random = new Random(c.seed());
        List<String> expected4 = new ArrayList<>();
        List<String> expected6 = new ArrayList<>();
        String script4 = script(rules4, random, expected4);
        String script6 = script(rules6, random, expected6);
        expected4.sort(null);
        expected6.sort(null);

        Map<String, Map<Labels, Double>> samples = new TreeMap<>();
        Map<String, Map<Labels, Double>> samples4 = new TreeMap<>();
        for (IptablesFamily family : IptablesFamily.values()) {
            IptablesConfig.Commands c4 = IptablesConfig.Commands.DEFAULT;
            IptablesConfig.Commands c6 = c4.ipv6();
            new IptablesReconciler(runner, family, c4, NAMES, Duration.ofSeconds(5)).cleanup();
            new IptablesReconciler(runner, family, c6, NAMES, Duration.ofSeconds(5)).cleanup();
            runner.check(List.of(c4.restore(family), "--noflush", "-c", "-w", "5"), script4.getBytes(StandardCharsets.UTF_8));
            runner.check(List.of(c6.restore(family), "--noflush", "-c", "-w", "5"), script6.getBytes(StandardCharsets.UTF_8));
            List<CounterReader[]> pairs = new ArrayList<>();
            pairs.add(new CounterReader[] {new SaveCounterReader(runner, c4.save(family), NAMES),
                    new SaveCounterReader(runner, c6.save(family), NAMES)});
            if (family == IptablesFamily.LEGACY) {
                pairs.add(new CounterReader[] {sockopt, sockopt6});
            }
            for (CounterReader[] pair : pairs) {
                String who = family.label() + "/" + pair[0].name();
                boolean v6Counters = family == IptablesFamily.LEGACY;
                RecordingSink got4 = new RecordingSink();
                RecordingSink got6 = new RecordingSink();
                assertThat(pair[0].read(got4)).as(who).isEqualTo(new ReadStatus(1, rules4.countingRules()));
                assertThat(pair[1].read(got6)).as(who + " ipv6").isEqualTo(new ReadStatus(1, rules6.countingRules()));
                got4.lines.sort(null);
                got6.lines.sort(null);
                assertThat(got4.lines).as(who).isEqualTo(expected4);
                assertThat(got6.lines).as(who + " ipv6").isEqualTo(v6Counters ? expected6 : zeroCounters(expected6));

                samples4.put(who, samples(md, pair[0]));
                if (v6Counters) {
                    samples.put(who, samples(md, pair));
                }
            }
        }
        // The nft backend's table with the same values: its counter objects, read over netlink.
        NftRuleset table = NftRuleset.build(NftRuleset.tableName(NAMES), md.localPods(), md.classificationSets(), lbs, true);
        new NftReconciler(runner, "nft", table.table()).cleanup();
        runner.check(List.of("nft", "-f", "-"), nftScript(table, expected4, expected6).getBytes(StandardCharsets.UTF_8));
        RecordingSink gotNft = new RecordingSink();
        assertThat(netlink.read(gotNft)).isEqualTo(new ReadStatus(1, rules4.countingRules() + rules6.countingRules()));
        List<String> expectedAll = new ArrayList<>(expected4);
        expectedAll.addAll(expected6);
        expectedAll.sort(null);
        gotNft.lines.sort(null);
        assertThat(gotNft.lines).as("nft/netlink").isEqualTo(expectedAll);
        samples.put("nft/netlink", samples(md, netlink));
        RecordingSink gotList = new RecordingSink();
        NftListCounterReader list = new NftListCounterReader(runner, "nft", table.table());
        assertThat(list.read(gotList).counters()).isEqualTo(expectedAll.size());
        gotList.lines.sort(null);
        assertThat(gotList.lines).as("nft/nft-list").isEqualTo(expectedAll);

        // One pod series per pod, direction and class (a dual-stack pod's two families in one; the
        // load balancers' chains add up to the pod's load_balancer class), bytes and packets.
        Set<String> series = new HashSet<>();
        Set<String> series4 = new HashSet<>();
        for (AccountingRules rules : List.of(rules4, rules6)) {
            for (AccountingRules.ClassChain ch : rules.classChains().values()) {
                if (ch.loadBalancerKind() == LoadBalancerCounter.CONNECTIONS) {
                    continue;
                }
                String cls = (ch.loadBalancerKind() == null ? ch.trafficClass() : TrafficClass.LOAD_BALANCER).toString();
                for (AccountingRules.CountingRule r : ch.rules()) {
                    series.add(r.podKey() + " " + ch.direction() + " " + cls);
                    if (rules == rules4) {
                        series4.add(r.podKey() + " " + ch.direction() + " " + cls);
                    }
                }
            }
        }
        assertThat(podSeries(samples.get("legacy/save"))).isEqualTo(series.size() * 2);
        assertThat(samples.get("legacy/save")).isEqualTo(samples.get("legacy/sockopt"));
        assertThat(samples.get("nft/netlink")).isEqualTo(samples.get("legacy/sockopt"));
        assertThat(samples4).hasSize(3);
        samples4.forEach((who, s) -> {
            assertThat(podSeries(s)).as(who).isEqualTo(series4.size() * 2);
            assertThat(s).as(who).isEqualTo(samples4.get("legacy/sockopt"));
        });
    }

    private static long podSeries(Map<Labels, Double> samples) {
        return samples.keySet().stream()
                .filter(l -> l.metricName().equals(PodCounters.BYTES) || l.metricName().equals(PodCounters.PACKETS)).count();
    }

    /**
     * The transaction creating {@code table} from nothing, each counter created with the packets and
     * bytes the iptables rule of the same direction, class and address got ({@code expected} lines).
     */
    private static String nftScript(NftRuleset table, List<String> expected4, List<String> expected6) {
        Map<String, String> values = new TreeMap<>();
        for (List<String> lines : List.of(expected4, expected6)) {
            for (String l : lines) {
                String[] f = l.split(" ");
                int n = f.length;
                values.put(String.join(" ", java.util.Arrays.copyOf(f, n - 2)), f[n - 2] + " " + f[n - 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        String prefix = "add counter inet " + table.table() + " ";
        for (String line : NftReconciler.plan(table, NftTableState.ABSENT, Set.of()).split("\n")) {
            out.append(line);
            if (line.startsWith(prefix)) {
                String name = line.substring(prefix.length());
                String literal = table.counters().get(name);
                Integer v4 = ChainNames.parseIpv4(literal);
                String address = v4 != null ? ChainNames.ipv4ToString(v4) : ChainNames.ipv6ToString(ChainNames.parseIpv6(literal));
                String key;
                if (name.charAt(0) == 'l') { // le4-same_zone-abcdef-0a0a0102, lc4-abcdef-0a0a0102
                    String[] parts = name.split("-");
                    String kind = LoadBalancerCounter.ofCounterCode(name.charAt(1)).name().toLowerCase(java.util.Locale.ROOT);
                    String cls = parts.length == 4 ? parts[1] : "-";
                    key = "lb " + kind + " " + cls + " " + parts[parts.length - 2].toUpperCase(java.util.Locale.ROOT) + " " + address;
                } else {
                    String direction = name.charAt(0) == 'e' ? "egress" : "ingress";
                    String cls = name.substring(name.indexOf('-') + 1, name.lastIndexOf('-'));
                    key = direction + " " + cls + " " + address;
                }
                String[] pb = values.get(key).split(" ");
                out.append(" { packets ").append(pb[0]).append(" bytes ").append(pb[1]).append(" }");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** One exporter cycle's samples from these readers. */
    private static Map<Labels, Double> samples(MutableClusterMetadata md, CounterReader... readers) throws Exception {
        PodCounters counters = new PodCounters();
        counters.begin(md);
        for (CounterReader r : readers) {
            r.read(counters);
        }
        Map<Labels, Double> emitted = new TreeMap<>();
        counters.emit((labels, value, ts) -> emitted.put(labels, value));
        return emitted;
    }

    private static List<String> zeroCounters(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.split(" ");
            out.add(String.join(" ", java.util.Arrays.copyOf(f, f.length - 2)) + " 0 0");
        }
        out.sort(null);
        return out;
    }
}
