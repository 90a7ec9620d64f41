package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {
    private final ChainNames names = new ChainNames("NETCOST");
    private final RestorePlanner planner = new RestorePlanner(names);
    private final IptablesSaveParser parser = new IptablesSaveParser(names);
    /** The class sets and pods of fixtures/mangle-legacy.txt. */
    private static final ClassificationSets FIXTURE_SETS =
            new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16", "10.30.0.0/16"), List.of());
    private static final PodInfo WEB = pod("shop", "web-0", "10.10.1.2");
    private static final PodInfo API = pod("shop", "api-0", "10.10.1.3");

    private MangleSnapshot fixture() throws IOException {
        return parser.snapshot(IptablesSaveParserTest.fixture("mangle-legacy.txt"));
    }

    private AccountingRules rules(ClassificationSets sets, PodInfo... pods) {
        return AccountingRules.build(names, List.of(pods), sets);
    }

    @Test
    void fromScratch_declaresEveryChainAndInsertsTheJumpFirst() {
        MangleSnapshot empty = parser.snapshot("*mangle\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
        String plan = planner.plan(empty, rules(FIXTURE_SETS, WEB));
        assertThat(plan).startsWith("*mangle\n:NETCOST - [0:0]\n:NETCOST-EGRESS - [0:0]\n:NETCOST-INGRESS - [0:0]\n"
                        + ":NETCOST-E-SAME - [0:0]\n:NETCOST-E-CROSS - [0:0]\n:NETCOST-E-INET - [0:0]\n")
                .contains("-A NETCOST -j NETCOST-EGRESS\n-A NETCOST -j NETCOST-INGRESS\n-A NETCOST-EGRESS -d 10.10.0.0/16 -g NETCOST-E-SAME\n")
                .contains("[0:0] -A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN\n")
                .contains("[0:0] -A NETCOST-I-INET -d 10.10.1.2/32 -j RETURN\n")
                .doesNotContain("VPC")
                .endsWith("-I POSTROUTING 1 -m comment --comment netcost -j NETCOST\nCOMMIT\n");
    }

    @Test
    void matchingState_isAnEmptyPlan_whateverTheOrderOfTheCountingRules() throws IOException {
        assertThat(planner.plan(fixture(), rules(FIXTURE_SETS, WEB, API))).isEmpty();
        // Appended by earlier cycles in another order: still the same set of rules.
        String swapped = IptablesSaveParserTest.fixture("mangle-legacy.txt").replace(
                "[20:2000] -A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN\n[21:2100] -A NETCOST-E-CROSS -s 10.10.1.3/32 -j RETURN\n",
                "[21:2100] -A NETCOST-E-CROSS -s 10.10.1.3/32 -j RETURN\n[20:2000] -A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN\n");
        assertThat(swapped).isNotEqualTo(IptablesSaveParserTest.fixture("mangle-legacy.txt"));
        assertThat(planner.plan(parser.snapshot(swapped), rules(FIXTURE_SETS, WEB, API))).isEmpty();
    }

    @Test
    void newPod_onlyAppendsItsCountingRules_soEveryOtherCounterRunsOn() throws IOException {
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS, WEB, API, pod("shop", "new-0", "10.10.1.4")));
        assertThat(plan).isEqualTo("*mangle\n"
                + "[0:0] -A NETCOST-E-SAME -s 10.10.1.4/32 -j RETURN\n"
                + "[0:0] -A NETCOST-E-CROSS -s 10.10.1.4/32 -j RETURN\n"
                + "[0:0] -A NETCOST-E-INET -s 10.10.1.4/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-SAME -d 10.10.1.4/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-CROSS -d 10.10.1.4/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-INET -d 10.10.1.4/32 -j RETURN\n"
                + "COMMIT\n");
    }

    @Test
    void gonePod_onlyDeletesItsCountingRules() throws IOException {
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS, WEB));
        assertThat(plan).isEqualTo("*mangle\n"
                + "-D NETCOST-E-SAME -s 10.10.1.3/32 -j RETURN\n"
                + "-D NETCOST-E-CROSS -s 10.10.1.3/32 -j RETURN\n"
                + "-D NETCOST-E-INET -s 10.10.1.3/32 -j RETURN\n"
                + "-D NETCOST-I-SAME -d 10.10.1.3/32 -j RETURN\n"
                + "-D NETCOST-I-CROSS -d 10.10.1.3/32 -j RETURN\n"
                + "-D NETCOST-I-INET -d 10.10.1.3/32 -j RETURN\n"
                + "COMMIT\n");
    }

    @Test
    void changedCidrs_rewriteOnlyTheClassificationChains_neverACountingRule() throws IOException {
        ClassificationSets changed = new ClassificationSets(cidrs("10.10.0.0/16", "10.11.0.0/16"), cidrs("10.40.0.0/16"), List.of());
        String plan = planner.plan(fixture(), rules(changed, WEB, API));
        assertThat(plan).isEqualTo("*mangle\n:NETCOST-EGRESS - [0:0]\n:NETCOST-INGRESS - [0:0]\n"
                + "-A NETCOST-EGRESS -d 10.10.0.0/16 -g NETCOST-E-SAME\n"
                + "-A NETCOST-EGRESS -d 10.11.0.0/16 -g NETCOST-E-SAME\n"
                + "-A NETCOST-EGRESS -d 10.40.0.0/16 -g NETCOST-E-CROSS\n"
                + "-A NETCOST-EGRESS -g NETCOST-E-INET\n"
                + "-A NETCOST-INGRESS -s 10.10.0.0/16 -g NETCOST-I-SAME\n"
                + "-A NETCOST-INGRESS -s 10.11.0.0/16 -g NETCOST-I-SAME\n"
                + "-A NETCOST-INGRESS -s 10.40.0.0/16 -g NETCOST-I-CROSS\n"
                + "-A NETCOST-INGRESS -g NETCOST-I-INET\n"
                + "COMMIT\n");
    }

    @Test
    void aClassComingIntoUse_getsItsChain_aClassGoingOutOfUse_isFlushedAndDeletedAfterTheClassificationIsRewritten()
            throws IOException {
        ClassificationSets noCrossButVpc = new ClassificationSets(cidrs("10.10.0.0/16"), List.of(), cidrs("10.0.0.0/8"));
        String plan = planner.plan(fixture(), rules(noCrossButVpc, WEB, API));
        assertThat(plan).startsWith("*mangle\n:NETCOST-EGRESS - [0:0]\n:NETCOST-INGRESS - [0:0]\n:NETCOST-E-VPC - [0:0]\n"
                        + ":NETCOST-I-VPC - [0:0]\n-F NETCOST-E-CROSS\n-X NETCOST-E-CROSS\n-F NETCOST-I-CROSS\n-X NETCOST-I-CROSS\n")
                .contains("[0:0] -A NETCOST-E-VPC -s 10.10.1.2/32 -j RETURN\n[0:0] -A NETCOST-E-VPC -s 10.10.1.3/32 -j RETURN\n")
                .doesNotContain("NETCOST-E-SAME -s").doesNotContain("-D ");
    }

    @Test
    void reusedAddress_deletesAndAppendsItsCountingRules_soTheyStartFromZero_othersUntouched() throws IOException {
        PodInfo successor = pod("other", "new-0", "10.10.1.2");
        String plan = planner.plan(fixture(), rules(FIXTURE_SETS, successor, API), Set.of("10.10.1.2"));
        assertThat(plan).isEqualTo("*mangle\n"
                + "-D NETCOST-E-SAME -s 10.10.1.2/32 -j RETURN\n"
                + "-D NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN\n"
                + "-D NETCOST-E-INET -s 10.10.1.2/32 -j RETURN\n"
                + "-D NETCOST-I-SAME -d 10.10.1.2/32 -j RETURN\n"
                + "-D NETCOST-I-CROSS -d 10.10.1.2/32 -j RETURN\n"
                + "-D NETCOST-I-INET -d 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-E-SAME -s 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-E-INET -s 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-SAME -d 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-CROSS -d 10.10.1.2/32 -j RETURN\n"
                + "[0:0] -A NETCOST-I-INET -d 10.10.1.2/32 -j RETURN\n"
                + "COMMIT\n");
        // Without knowing who had the address before (after a restart): adopted as it is.
        assertThat(planner.plan(fixture(), rules(FIXTURE_SETS, successor, API))).isEmpty();
    }

    @Test
    void duplicateCountingRules_areDeletedDownToOne() throws IOException {
        String twice = IptablesSaveParserTest.fixture("mangle-legacy.txt").replace(
                "[11:1100] -A NETCOST-E-SAME -s 10.10.1.3/32 -j RETURN\n",
                "[11:1100] -A NETCOST-E-SAME -s 10.10.1.3/32 -j RETURN\n[1:1] -A NETCOST-E-SAME -s 10.10.1.3/32 -j RETURN\n");
        assertThat(planner.plan(parser.snapshot(twice), rules(FIXTURE_SETS, WEB, API)))
                .isEqualTo("*mangle\n-D NETCOST-E-SAME -s 10.10.1.3/32 -j RETURN\nCOMMIT\n");
    }

    @Test
    void upgradeFromPerPodChains_rewritesMainChain_thenRemovesTheOldChains() {
        MangleSnapshot old = parser.snapshot("*mangle\n:POSTROUTING ACCEPT [0:0]\n:NETCOST - [0:0]\n:NETCOST-E-0A0A0102 - [0:0]\n"
                + ":NETCOST-I6-CTRNQPP - [0:0]\n:NETCOST-OTHER - [0:0]\n"
                + "[0:0] -A POSTROUTING -m comment --comment netcost -j NETCOST\n"
                + "[0:0] -A NETCOST -s 10.10.1.2/32 -j NETCOST-E-0A0A0102\n"
                + "[9:9] -A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN\nCOMMIT\n");
        String plan = planner.plan(old, rules(new ClassificationSets(List.of(), List.of(), List.of()), WEB));
        assertThat(plan).startsWith("*mangle\n:NETCOST - [0:0]\n:NETCOST-EGRESS - [0:0]\n:NETCOST-INGRESS - [0:0]\n"
                        + ":NETCOST-E-INET - [0:0]\n:NETCOST-I-INET - [0:0]\n"
                        + "-F NETCOST-E-0A0A0102\n-X NETCOST-E-0A0A0102\n-F NETCOST-I6-CTRNQPP\n-X NETCOST-I6-CTRNQPP\n")
                .doesNotContain("NETCOST-OTHER").doesNotContain("POSTROUTING");
    }

    @Test
    void missingJumpIsInserted_extraJumpsAreDeleted() throws IOException {
        MangleSnapshot f = fixture();
        AccountingRules r = rules(FIXTURE_SETS, WEB, API);
        MangleSnapshot noJump = new MangleSnapshot(f.owned(), List.of(), 0, false);
        assertThat(planner.plan(noJump, r)).isEqualTo("*mangle\n-I POSTROUTING 1 -m comment --comment netcost -j NETCOST\nCOMMIT\n");
        MangleSnapshot twice = new MangleSnapshot(f.owned(), List.of(r.jumpRule(), "-A POSTROUTING -j NETCOST"), 0, false);
        assertThat(planner.plan(twice, r)).isEqualTo("*mangle\n-D POSTROUTING -j NETCOST\nCOMMIT\n");
    }

    @Test
    void cleanup_removesJumpsThenFlushesThenDeletesOwnedChainsOnly() throws IOException {
        String cleanup = planner.cleanup(fixture());
        assertThat(cleanup).startsWith("*mangle\n-D POSTROUTING -m comment --comment netcost -j NETCOST\n-F NETCOST\n")
                .contains("-F NETCOST-INGRESS\n-X NETCOST\n").endsWith("-X NETCOST-INGRESS\nCOMMIT\n").doesNotContain("NETCOSTX");
        assertThat(cleanup.lines().filter(l -> l.startsWith("-X "))).hasSize(9);
        assertThat(planner.cleanup(parser.snapshot("*mangle\nCOMMIT\n"))).isEmpty();
    }
}
