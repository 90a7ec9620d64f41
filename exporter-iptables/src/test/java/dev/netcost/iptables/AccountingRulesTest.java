package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccountingRulesTest {
    private final ChainNames names = new ChainNames("NETCOST");

    @Test
    void rendersDispatchAndFirstMatchClassRules_exactlyAsIptablesSavePrintsThem() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16", "10.30.0.0/16"), cidrs("10.0.0.0/8")));
        assertThat(r.mainRules()).containsExactly(
                "-A NETCOST -s 10.10.1.2/32 -j NETCOST-E-0A0A0102",
                "-A NETCOST -d 10.10.1.2/32 -j NETCOST-I-0A0A0102");
        assertThat(r.podChains().get("NETCOST-E-0A0A0102").specs()).containsExactly(
                "-A NETCOST-E-0A0A0102 -d 10.10.0.0/16 -m comment --comment \"same_zone shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -d 10.20.0.0/16 -m comment --comment \"cross_zone shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -d 10.30.0.0/16 -m comment --comment \"cross_zone shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -d 10.0.0.0/8 -m comment --comment \"in_vpc shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN");
        assertThat(r.podChains().get("NETCOST-I-0A0A0102").specs()).first().asString().contains(" -s 10.10.0.0/16 ");
        assertThat(r.jumpRule()).isEqualTo("-A POSTROUTING -m comment --comment netcost -j NETCOST");
    }

    @Test
    void unusedClassesCostNoRules_andIpv6CidrsAreLeftOut() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(List.of(), cidrs("fd00::/8"), List.of()));
        assertThat(r.podChains().get("NETCOST-E-0A0A0102").specs())
                .containsExactly("-A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN");
    }

    @Test
    void skipsHostNetworkAndIpv6OnlyPods_andGivesADuplicateIpToTheFirstPodByName() {
        PodInfo host = new PodInfo("kube-system", "proxy", "", List.of("192.0.2.1"), true, Map.of(), "", "");
        PodInfo v6 = pod("shop", "v6", "fd00::7");
        AccountingRules r = AccountingRules.build(names, List.of(pod("b", "second", "10.10.1.2"), host, v6,
                pod("a", "first", "10.10.1.2")), new ClassificationSets(List.of(), List.of(), List.of()));
        assertThat(r.podChains()).containsOnlyKeys("NETCOST-E-0A0A0102", "NETCOST-I-0A0A0102");
        assertThat(r.podChains().get("NETCOST-E-0A0A0102").podKey()).isEqualTo("a/first");
        assertThat(r.skipped()).singleElement().asString().startsWith("b/second");
    }

    @Test
    void truncatesLongPodKeysToTheCommentLimit() {
        String name = "p".repeat(253);
        AccountingRules r = AccountingRules.build(names, List.of(pod("n".repeat(63), name, "10.10.1.2")),
                new ClassificationSets(List.of(), List.of(), List.of()));
        String comment = IptablesSaveParser.comment(r.podChains().get("NETCOST-E-0A0A0102").specs().get(0));
        assertThat(comment).hasSize(RuleComment.MAX_LENGTH);
        assertThat(RuleComment.isFor(comment, RuleComment.podKey("n".repeat(63), name))).isTrue();
        assertThat(RuleComment.isFor(comment, RuleComment.podKey("n".repeat(63), "q"))).isFalse();
    }

    @Test
    void ipv6Rules_useHashedChainNames_v6CidrsOnly_andIp6tablesSaveAddressText() {
        PodInfo dual = pod("shop", "web-0", "10.10.1.2", "fd00:0:0:1:0:0:0:7");
        ClassificationSets sets = new ClassificationSets(cidrs("10.10.0.0/16", "fd00:0:0:1::/64"),
                cidrs("fd00:0:0:2:0::/64"), cidrs("2001:db8:0:0:1::/80", "::/0"));
        AccountingRules r = AccountingRules.build(names, List.of(dual, pod("shop", "v4-0", "10.10.1.3")), sets, true);
        String egress = names.podChain6(Direction.EGRESS, ChainNames.parseIpv6("fd00:0:0:1::7"));
        String ingress = names.podChain6(Direction.INGRESS, ChainNames.parseIpv6("fd00:0:0:1::7"));
        assertThat(egress).matches("NETCOST-E6-[A-Z2-7]{7}");
        assertThat(r.mainRules()).containsExactly(
                "-A NETCOST -s fd00:0:0:1::7/128 -j " + egress,
                "-A NETCOST -d fd00:0:0:1::7/128 -j " + ingress);
        assertThat(r.podChains()).containsOnlyKeys(egress, ingress);
        assertThat(r.podChains().get(egress).specs()).containsExactly(
                "-A " + egress + " -d fd00:0:0:1::/64 -m comment --comment \"same_zone shop/web-0\" -j RETURN",
                "-A " + egress + " -d fd00:0:0:2::/64 -m comment --comment \"cross_zone shop/web-0\" -j RETURN",
                "-A " + egress + " -d 2001:db8:0:0:1::/80 -m comment --comment \"in_vpc shop/web-0\" -j RETURN",
                "-A " + egress + " -m comment --comment \"in_vpc shop/web-0\" -j RETURN",
                "-A " + egress + " -m comment --comment \"internet shop/web-0\" -j RETURN");
        assertThat(r.podChains().get(ingress).specs().get(0)).contains(" -s fd00:0:0:1::/64 ");
        assertThat(r.podChains().get(egress).ip()).isEqualTo("fd00:0:0:1::7");
    }

    @Test
    void ipv4Rules_ofADualStackPod_ignoreItsIpv6Address() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "fd00::7", "10.10.1.2")),
                new ClassificationSets(List.of(), List.of(), List.of()), false);
        assertThat(r.podChains()).containsOnlyKeys("NETCOST-E-0A0A0102", "NETCOST-I-0A0A0102");
        assertThat(AccountingRules.build(names, List.of(pod("shop", "v4-0", "10.10.1.3")),
                new ClassificationSets(List.of(), List.of(), List.of()), true).podChains()).isEmpty();
    }

    @Test
    void classAboveTheSetThreshold_isMatchedByOneSetRule_withTheSameComment_andItsMembersListed() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add("10.20." + i + ".7/32");
        }
        many.add("10.21.0.0/16");
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.10.0.0/16"), cidrs(many.toArray(String[]::new)), cidrs("10.0.0.0/8")),
                false, 16);
        assertThat(r.podChains().get("NETCOST-E-0A0A0102").specs()).containsExactly(
                "-A NETCOST-E-0A0A0102 -d 10.10.0.0/16 -m comment --comment \"same_zone shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -m set --match-set NETCOST-4-CROSS dst -m comment --comment \"cross_zone shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -d 10.0.0.0/8 -m comment --comment \"in_vpc shop/web-0\" -j RETURN",
                "-A NETCOST-E-0A0A0102 -m comment --comment \"internet shop/web-0\" -j RETURN");
        assertThat(r.podChains().get("NETCOST-I-0A0A0102").specs()).contains(
                "-A NETCOST-I-0A0A0102 -m set --match-set NETCOST-4-CROSS src -m comment --comment \"cross_zone shop/web-0\" -j RETURN");
        assertThat(r.sets()).containsOnlyKeys("NETCOST-4-CROSS");
        // Members as ipset save prints them: a host entry without /32.
        assertThat(r.sets().get("NETCOST-4-CROSS")).hasSize(18).contains("10.20.0.7", "10.20.16.7", "10.21.0.0/16");
    }

    @Test
    void thresholdZero_usesSetsForEveryNonEmptyClassOfTheFamily_butNotForZeroPrefixes_norWithoutPods() {
        ClassificationSets sets = new ClassificationSets(cidrs("10.10.0.0/16", "fd00:10::/32"), cidrs("0.0.0.0/0"),
                cidrs("10.0.0.0/8", "fd00::1/128"));
        AccountingRules v4 = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2", "fd00::7")), sets, false, 0);
        assertThat(v4.sets()).containsOnlyKeys("NETCOST-4-SAME", "NETCOST-4-VPC");
        assertThat(v4.sets().get("NETCOST-4-VPC")).containsExactly("10.0.0.0/8");
        assertThat(v4.podChains().get("NETCOST-E-0A0A0102").specs()).element(1).asString()
                .isEqualTo("-A NETCOST-E-0A0A0102 -m comment --comment \"cross_zone shop/web-0\" -j RETURN");
        AccountingRules v6 = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2", "fd00::7")), sets, true, 0);
        assertThat(v6.sets()).containsOnlyKeys("NETCOST-6-SAME", "NETCOST-6-VPC");
        assertThat(v6.sets().get("NETCOST-6-VPC")).containsExactly("fd00::1");
        assertThat(v6.sets().get("NETCOST-6-SAME")).containsExactly("fd00:10::/32");
        assertThat(AccountingRules.build(names, List.of(), sets, false, 0).sets()).isEmpty();
    }

    @Test
    void setNames_fitIpsetsLimit_withTheTemporarySuffix() {
        ChainNames longest = new ChainNames("P".repeat(ChainNames.MAX_PREFIX));
        String name = AccountingRules.setName(longest, true, dev.netcost.core.k8s.TrafficClass.CROSS_ZONE);
        assertThat(name + IpsetReconciler.TEMP_SUFFIX).hasSizeLessThanOrEqualTo(31);
        assertThat(AccountingRules.setName(names, false, dev.netcost.core.k8s.TrafficClass.SAME_ZONE)).isEqualTo("NETCOST-4-SAME");
    }
}
