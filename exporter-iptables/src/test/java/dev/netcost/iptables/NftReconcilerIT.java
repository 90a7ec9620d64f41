package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against the real kernel, in a namespace of its own: one transaction builds the
 * table, a second with the same input applies nothing, pod churn and class-set changes keep the
 * counters of what stays, a reused address starts from zero, a restarted reconciler adopts the
 * counters, an externally deleted table is noticed by the reader and restored, and cleanup removes
 * the table. Counter values come from a script (as if counted before) or from packets sent between
 * addresses on the namespace's loopback, which pass the postrouting hook.
 */
class NftReconcilerIT {
    private static final ClassificationSets SETS = new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16"),
            cidrs("10.0.0.0/16"));
    private static final PodInfo WEB = pod("shop", "web-0", "10.10.1.2");
    private static final PodInfo API = pod("shop", "api-0", "10.10.1.3");
    private static final PodInfo DB = pod("shop", "db-0", "10.10.1.4");

    private Netns ns;
    private NetnsThread thread;
    private NftCounterReader reader;
    private CommandRunner runner;

    @BeforeEach
    void setUp() throws Exception {
        ns = Netns.create("nftrec");
        thread = new NetnsThread(ns.path());
        reader = NftCounterReader.open(thread, "netcost");
        runner = new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        if (reader != null) {
            reader.close();
        }
        if (thread != null) {
            thread.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private NftReconciler reconciler() {
        return new NftReconciler(runner, "nft", "netcost");
    }

    private static NftRuleset ruleset(ClassificationSets sets, PodInfo... pods) {
        return NftRuleset.build("netcost", List.of(pods), sets, true);
    }

    private Map<String, String> counters() throws Exception {
        NftCounterReaderIT.MapSink sink = new NftCounterReaderIT.MapSink();
        reader.read(sink);
        return sink.got;
    }

    private ReadStatus status() throws Exception {
        return reader.read(new NftCounterReaderIT.MapSink());
    }

    /** Counters as if netcost had counted before (a restart, or packets): set through a script. */
    private void preload(String... nameAndValue) {
        StringBuilder s = new StringBuilder("add table inet netcost\n");
        for (int i = 0; i < nameAndValue.length; i += 2) {
            String[] v = nameAndValue[i + 1].split(" ");
            s.append("add counter inet netcost ").append(nameAndValue[i]).append(" { packets ").append(v[0]).append(" bytes ")
                    .append(v[1]).append(" }\n");
        }
        ns.execWithInput(s.toString(), "nft", "-f", "-");
    }

    @Test
    void emptyNamespace_getsTheTableInOneTransaction_andASecondRunAppliesNothing() throws Exception {
        NftReconciler r = reconciler();
        NftReconciler.Applied first = r.reconcile(ruleset(SETS, WEB, API));
        assertThat(first.script()).startsWith("add table inet netcost\n").contains("add counter inet netcost e4-same_zone-0a0a0102\n");
        assertThat(first.counters()).isEqualTo(16);
        assertThat(status()).isEqualTo(new ReadStatus(1, 16));
        assertThat(counters()).hasSize(16).allSatisfy((k, v) -> assertThat(v).isEqualTo("0 0"));
        String listing = ns.exec("nft", "list", "table", "inet", "netcost");
        assertThat(listing).contains("elements = { 10.10.1.2 : \"e4-same_zone-0a0a0102\", 10.10.1.3 : \"e4-same_zone-0a0a0103\" }")
                .contains("ip daddr @same4 counter name ip saddr map @e4_same_zone return")
                .contains("type filter hook postrouting priority mangle; policy accept;");

        assertThat(r.reconcile(ruleset(SETS, API, WEB))).isEqualTo(new NftReconciler.Applied("", 16));
        assertThat(ns.exec("nft", "list", "table", "inet", "netcost")).isEqualTo(listing);
    }

    @Test
    void podChurn_keepsTheCountersOfPodsThatStay_dropsTheGonePods_andNewPodsStartAtZero() throws Exception {
        preload("e4-cross_zone-0a0a0102", "5 500", "i4-internet-0a0a0102", "7 700", "e4-same_zone-0a0a0103", "9 900");
        NftReconciler r = reconciler();
        assertThat(r.reconcile(ruleset(SETS, WEB, API)).script()).isNotEmpty();
        assertThat(counters()).containsEntry("e4-cross_zone-0a0a0102", "5 500").containsEntry("i4-internet-0a0a0102", "7 700")
                .containsEntry("e4-same_zone-0a0a0103", "9 900").hasSize(16);

        NftReconciler.Applied churn = r.reconcile(ruleset(SETS, WEB, DB));
        assertThat(churn.script()).contains("delete counter inet netcost e4-same_zone-0a0a0103\n")
                .doesNotContain("add counter inet netcost e4-cross_zone-0a0a0102");
        Map<String, String> after = counters();
        assertThat(after).containsEntry("e4-cross_zone-0a0a0102", "5 500").containsEntry("i4-internet-0a0a0102", "7 700")
                .containsEntry("e4-same_zone-0a0a0104", "0 0").doesNotContainKey("e4-same_zone-0a0a0103").hasSize(16);
        assertThat(status()).isEqualTo(new ReadStatus(1, 16));
        assertThat(ns.exec("nft", "list", "map", "inet", "netcost", "e4_same_zone")).doesNotContain("10.10.1.3").contains("10.10.1.4");
    }

    @Test
    void classSetChange_keepsTheCountersOfTheClassesThatStay_andDropsAnUnusedClass() throws Exception {
        preload("e4-cross_zone-0a0a0102", "5 500", "i4-in_vpc-0a0a0102", "3 300");
        NftReconciler r = reconciler();
        r.reconcile(ruleset(SETS, WEB));
        ClassificationSets changed = new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.30.0.0/16", "10.20.0.0/16", "10.20.5.0/24"),
                List.of());
        NftReconciler.Applied applied = r.reconcile(ruleset(changed, WEB));
        assertThat(applied.script()).contains("delete set inet netcost vpc4\n").contains("delete map inet netcost i4_in_vpc\n");
        assertThat(applied.counters()).isEqualTo(6);
        assertThat(counters()).containsEntry("e4-cross_zone-0a0a0102", "5 500").doesNotContainKey("i4-in_vpc-0a0a0102").hasSize(6);
        assertThat(ns.exec("nft", "list", "set", "inet", "netcost", "cross4")).contains("10.20.0.0/16").contains("10.30.0.0/16")
                .doesNotContain("10.20.5.0");
        assertThat(ns.exec("nft", "list", "table", "inet", "netcost")).doesNotContain("vpc4").doesNotContain("in_vpc");
        assertThat(r.reconcile(ruleset(changed, WEB)).script()).isEmpty();
    }

    @Test
    void anAddressThatChangesPods_startsFromZero_whileOtherCountersKeepRunning() throws Exception {
        preload("e4-cross_zone-0a0a0102", "5 500", "e4-cross_zone-0a0a0103", "6 600");
        NftReconciler r = reconciler();
        r.reconcile(ruleset(SETS, WEB, API));
        assertThat(counters()).containsEntry("e4-cross_zone-0a0a0102", "5 500");
        PodInfo replacement = pod("shop", "web-1", "10.10.1.2");
        NftReconciler.Applied applied = r.reconcile(ruleset(SETS, replacement, API));
        assertThat(applied.script()).contains("delete counter inet netcost e4-cross_zone-0a0a0102\n")
                .contains("add counter inet netcost e4-cross_zone-0a0a0102\n");
        assertThat(counters()).containsEntry("e4-cross_zone-0a0a0102", "0 0").containsEntry("e4-cross_zone-0a0a0103", "6 600")
                .hasSize(16);
        assertThat(r.reconcile(ruleset(SETS, replacement, API)).script()).isEmpty();
    }

    @Test
    void restartedReconciler_adoptsTheCounters_realPacketsIncluded_andANonPodAddressIsCountedNowhere() throws Exception {
        ns.exec("ip", "addr", "add", "10.10.1.2/32", "dev", "lo");
        ns.exec("ip", "addr", "add", "10.10.1.3/32", "dev", "lo");
        ns.exec("ip", "addr", "add", "10.10.1.9/32", "dev", "lo");
        ns.exec("ip", "addr", "add", "10.20.1.9/32", "dev", "lo");
        NftReconciler first = reconciler();
        first.reconcile(ruleset(SETS, WEB, API));
        // Neither end is a pod: every rule's map lookup misses, so no counter moves (not even internet).
        ns.execWithInput("x".repeat(1000), "socat", "-u", "-b", "100", "STDIN", "UDP-SENDTO:10.20.1.9:9,bind=10.10.1.9");
        assertThat(counters()).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo("0 0"));
        // web-0 -> api-0: 10 datagrams of 100 bytes (+ 28 bytes of headers), same zone both ways.
        ns.execWithInput("x".repeat(1000), "socat", "-u", "-b", "100", "STDIN", "UDP-SENDTO:10.10.1.3:9,bind=10.10.1.2");
        Map<String, String> before = counters();
        assertThat(before).containsEntry("e4-same_zone-0a0a0102", "10 1280").containsEntry("i4-same_zone-0a0a0103", "10 1280")
                .containsEntry("e4-cross_zone-0a0a0102", "0 0");

        NftReconciler second = reconciler();
        NftReconciler.Applied adopt = second.reconcile(ruleset(SETS, WEB, API));
        assertThat(adopt.script()).doesNotContain("add counter").doesNotContain("delete counter");
        assertThat(counters()).isEqualTo(before);
        assertThat(second.reconcile(ruleset(SETS, WEB, API)).script()).isEmpty();
    }

    @Test
    void tableDeletedExternally_readsAsNoHook_andTheNextReconcileRestoresIt() throws Exception {
        NftReconciler r = reconciler();
        r.reconcile(ruleset(SETS, WEB));
        assertThat(status()).isEqualTo(new ReadStatus(1, 8));
        ns.exec("nft", "delete", "table", "inet", "netcost");
        assertThat(status()).isEqualTo(new ReadStatus(0, 0));

        assertThat(r.reconcile(ruleset(SETS, WEB)).script()).contains("add table inet netcost\n");
        assertThat(status()).isEqualTo(new ReadStatus(1, 8));

        ns.exec("nft", "flush", "chain", "inet", "netcost", "postrouting"); // the hook stays, the jumps go
        assertThat(r.reconcile(ruleset(SETS, WEB)).script()).contains("add rule inet netcost postrouting jump egress\n");
        assertThat(r.reconcile(ruleset(SETS, WEB)).script()).isEmpty();
    }

    @Test
    void cleanup_removesTheTable_andIsANoOpWhenItIsGone() throws Exception {
        NftReconciler r = reconciler();
        String before = ns.exec("nft", "list", "ruleset");
        r.reconcile(ruleset(SETS, WEB));
        assertThat(ns.exec("nft", "list", "ruleset")).contains("table inet netcost");
        assertThat(r.cleanup()).isEqualTo("delete table inet netcost\n");
        assertThat(ns.exec("nft", "list", "ruleset")).isEqualTo(before);
        assertThat(r.cleanup()).isEmpty();
        assertThat(status()).isEqualTo(new ReadStatus(0, 0));
        assertThat(r.reconcile(ruleset(SETS, WEB)).script()).isNotEmpty(); // after cleanup nothing is assumed
    }
}
