package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {
    private final ChainNames names = new ChainNames("NETCOST");
    private final RestorePlanner planner = new RestorePlanner(names);
    private final IptablesSaveParser parser = new IptablesSaveParser(names);
    private static final ClassificationSets FIXTURE_SETS =
            new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16", "10.30.0.0/16"), List.of());

    private MangleSnapshot fixture() throws IOException {
        try (var in = getClass().getResourceAsStream("/fixtures/mangle-legacy.txt")) {
            return parser.snapshot(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    private AccountingRules rules(ClassificationSets sets, PodInfo... pods) {
        return AccountingRules.build(names, List.of(pods), sets);
    }

    @Test
    void fromScratch_declaresEveryChainAndInsertsTheJumpFirst() {
        MangleSnapshot empty = parser.snapshot("*mangle\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
        String plan = planner.plan(empty, rules(FIXTURE_SETS, pod("shop", "web-0", "10.10.1.2")));
        assertThat(plan).startsWith("*mangle\n:NETCOST - [0:0]\n:NETCOST-E-0A0A0102 - [0:0]\n:NETCOST-I-0A0A0102 - [0:0]\n")
                .contains("[0:0] -A NETCOST-E-0A0A0102 -d 10.30.0.0/16 -m comment --comment \"cross_zone shop/web-0\" -j RETURN\n")
                .endsWith("-I POSTROUTING 1 -m comment --comment netcost -j NETCOST\nCOMMIT\n");
    }

    @Test
    void matchingState_isAnEmptyPlan() throws IOException {
        assertThat(planner.plan(fixture(), rules(FIXTURE_SETS, pod("shop", "web-0", "10.10.1.2")))).isEmpty();
    }

    @Test
    void newPod_touchesMainChainAndTheNewChainsOnly_soOtherCountersRunOn() throws IOException {
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS, pod("shop", "web-0", "10.10.1.2"), pod("shop", "api-0", "10.10.1.3")));
        assertThat(plan).contains(":NETCOST - [0:0]", ":NETCOST-E-0A0A0103 - [0:0]", ":NETCOST-I-0A0A0103 - [0:0]")
                .doesNotContain("NETCOST-E-0A0A0102 - [0:0]").doesNotContain("-X").doesNotContain("POSTROUTING");
    }

    @Test
    void gonePod_isFlushedAndDeleted_afterTheMainChainIsRedeclared() throws IOException {
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS));
        assertThat(plan).isEqualTo("*mangle\n:NETCOST - [0:0]\n-F NETCOST-E-0A0A0102\n-X NETCOST-E-0A0A0102\n"
                + "-F NETCOST-I-0A0A0102\n-X NETCOST-I-0A0A0102\nCOMMIT\n");
    }

    @Test
    void changedSets_rewriteTheChain_carryingPerClassTotalsOntoTheFirstRuleOfEachClass() throws IOException {
        ClassificationSets changed = new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.40.0.0/16"), cidrs("10.0.0.0/8"));
        String plan = planner.plan(fixture(), rules(changed, pod("shop", "web-0", "10.10.1.2")));
        assertThat(plan).contains(":NETCOST-E-0A0A0102 - [0:0]")
                .contains("[10:1000] -A NETCOST-E-0A0A0102 -d 10.10.0.0/16 ")
                .contains("[50:5000] -A NETCOST-E-0A0A0102 -d 10.40.0.0/16 ")
                .contains("[0:0] -A NETCOST-E-0A0A0102 -d 10.0.0.0/8 ")
                .contains("[18446744073709551615:9223372036854775807] -A NETCOST-E-0A0A0102 -m comment --comment \"internet");
    }

    @Test
    void switchingAClassToASetRule_carriesItsCountersOntoTheSetRule() throws IOException {
        AccountingRules sets = AccountingRules.build(new ChainNames("NETCOST"), List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.40.0.0/16"), cidrs("10.0.0.0/8")), false, 0);
        String plan = planner.plan(fixture(), sets);
        assertThat(plan).contains("[10:1000] -A NETCOST-E-0A0A0102 -m set --match-set NETCOST-4-SAME dst ")
                .contains("[50:5000] -A NETCOST-E-0A0A0102 -m set --match-set NETCOST-4-CROSS dst ");
    }

    @Test
    void reusedIp_startsFromZero() throws IOException {
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS, pod("other", "new-0", "10.10.1.2")));
        assertThat(plan).contains("[0:0] -A NETCOST-E-0A0A0102 -d 10.20.0.0/16 -m comment --comment \"cross_zone other/new-0\"")
                .doesNotContain("[20:2000]");
    }

    @Test
    void missingJumpIsInserted_extraJumpsAreDeleted() throws IOException {
        MangleSnapshot f = fixture();
        AccountingRules r = rules(FIXTURE_SETS, pod("shop", "web-0", "10.10.1.2"));
        MangleSnapshot noJump = new MangleSnapshot(f.owned(), List.of(), 0, false);
        assertThat(planner.plan(noJump, r)).isEqualTo("*mangle\n-I POSTROUTING 1 -m comment --comment netcost -j NETCOST\nCOMMIT\n");
        MangleSnapshot twice = new MangleSnapshot(f.owned(), List.of(r.jumpRule(), "-A POSTROUTING -j NETCOST"), 0, false);
        assertThat(planner.plan(twice, r)).isEqualTo("*mangle\n-D POSTROUTING -j NETCOST\nCOMMIT\n");
    }

    @Test
    void cleanup_removesJumpsThenFlushesThenDeletesOwnedChainsOnly() throws IOException {
        assertThat(planner.cleanup(fixture())).isEqualTo("*mangle\n-D POSTROUTING -m comment --comment netcost -j NETCOST\n"
                + "-F NETCOST\n-F NETCOST-E-0A0A0102\n-F NETCOST-I-0A0A0102\n"
                + "-X NETCOST\n-X NETCOST-E-0A0A0102\n-X NETCOST-I-0A0A0102\nCOMMIT\n");
        assertThat(planner.cleanup(parser.snapshot("*mangle\nCOMMIT\n"))).isEmpty();
    }
}
