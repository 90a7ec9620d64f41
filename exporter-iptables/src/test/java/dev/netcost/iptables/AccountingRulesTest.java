package dev.netcost.iptables;

import static dev.netcost.iptables.TestMetadata.cidrs;
import static dev.netcost.iptables.TestMetadata.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.TrafficClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccountingRulesTest {
    private final ChainNames names = new ChainNames("NETCOST");

    @Test
    void rendersClassificationAndCountingRules_exactlyAsIptablesSavePrintsThem() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2"), pod("shop", "api-0", "10.10.1.10")),
                new ClassificationSets(cidrs("10.10.0.0/16"), cidrs("10.20.0.0/16", "10.30.0.0/16"), cidrs("10.0.0.0/8")));
        assertThat(r.mainRules()).containsExactly("-A NETCOST -j NETCOST-EGRESS", "-A NETCOST -j NETCOST-INGRESS");
        assertThat(r.classifyRules(Direction.EGRESS)).containsExactly(
                "-A NETCOST-EGRESS -d 10.10.0.0/16 -g NETCOST-E-SAME",
                "-A NETCOST-EGRESS -d 10.20.0.0/16 -g NETCOST-E-CROSS",
                "-A NETCOST-EGRESS -d 10.30.0.0/16 -g NETCOST-E-CROSS",
                "-A NETCOST-EGRESS -d 10.0.0.0/8 -g NETCOST-E-VPC",
                "-A NETCOST-EGRESS -g NETCOST-E-INET");
        assertThat(r.classifyRules(Direction.INGRESS)).first().isEqualTo("-A NETCOST-INGRESS -s 10.10.0.0/16 -g NETCOST-I-SAME");
        assertThat(r.classChains()).containsOnlyKeys("NETCOST-E-SAME", "NETCOST-E-CROSS", "NETCOST-E-VPC", "NETCOST-E-INET",
                "NETCOST-I-SAME", "NETCOST-I-CROSS", "NETCOST-I-VPC", "NETCOST-I-INET");
        // Sorted by address, not by name; one rule per pod, no comment.
        assertThat(r.classChains().get("NETCOST-E-CROSS").specs()).containsExactly(
                "-A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN",
                "-A NETCOST-E-CROSS -s 10.10.1.10/32 -j RETURN");
        assertThat(r.classChains().get("NETCOST-I-INET").specs()).containsExactly(
                "-A NETCOST-I-INET -d 10.10.1.2/32 -j RETURN",
                "-A NETCOST-I-INET -d 10.10.1.10/32 -j RETURN");
        AccountingRules.ClassChain c = r.classChains().get("NETCOST-I-VPC");
        assertThat(c.direction()).isEqualTo(Direction.INGRESS);
        assertThat(c.trafficClass()).isEqualTo(TrafficClass.IN_VPC);
        assertThat(r.countingRules()).isEqualTo(16);
        assertThat(r.owners()).containsExactly(Map.entry("10.10.1.2", "shop/web-0"), Map.entry("10.10.1.10", "shop/api-0"));
        assertThat(r.jumpRule()).isEqualTo("-A POSTROUTING -m comment --comment netcost -j NETCOST");
    }

    @Test
    void unusedClassesCostNoRuleNorChain_andIpv6CidrsAreLeftOut() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(List.of(), cidrs("fd00::/8"), List.of()));
        assertThat(r.classifyRules(Direction.EGRESS)).containsExactly("-A NETCOST-EGRESS -g NETCOST-E-INET");
        assertThat(r.classChains()).containsOnlyKeys("NETCOST-E-INET", "NETCOST-I-INET");
        assertThat(r.countingRules()).isEqualTo(2);
    }

    @Test
    void noPods_meansEmptyClassificationChains_andNoClassChains() {
        AccountingRules r = AccountingRules.build(names, List.of(),
                new ClassificationSets(cidrs("10.10.0.0/16"), List.of(), List.of()));
        assertThat(r.mainRules()).hasSize(2);
        assertThat(r.classifyRules(Direction.EGRESS)).isEmpty();
        assertThat(r.classifyRules(Direction.INGRESS)).isEmpty();
        assertThat(r.classChains()).isEmpty();
        assertThat(r.countingRules()).isZero();
    }

    @Test
    void skipsHostNetworkAndIpv6OnlyPods_andGivesADuplicateIpToTheFirstPodByName() {
        PodInfo host = new PodInfo("kube-system", "proxy", "", List.of("192.0.2.1"), true, Map.of(), "", "");
        PodInfo v6 = pod("shop", "v6", "fd00::7");
        AccountingRules r = AccountingRules.build(names, List.of(pod("b", "second", "10.10.1.2"), host, v6,
                pod("a", "first", "10.10.1.2")), new ClassificationSets(List.of(), List.of(), List.of()));
        assertThat(r.classChains().get("NETCOST-E-INET").specs()).containsExactly("-A NETCOST-E-INET -s 10.10.1.2/32 -j RETURN");
        assertThat(r.owners()).containsExactly(Map.entry("10.10.1.2", "a/first"));
        assertThat(r.skipped()).singleElement().asString().startsWith("b/second");
    }

    @Test
    void ipv6Rules_v6CidrsOnly_ip6tablesSaveAddressText_andTheSameChainNames() {
        PodInfo dual = pod("shop", "web-0", "10.10.1.2", "fd00:0:0:1:0:0:0:7");
        ClassificationSets sets = new ClassificationSets(cidrs("10.10.0.0/16", "fd00:0:0:1::/64"),
                cidrs("fd00:0:0:2:0::/64"), cidrs("2001:db8:0:0:1::/80", "::/0"));
        AccountingRules r = AccountingRules.build(names, List.of(dual, pod("shop", "v4-0", "10.10.1.3")), sets, true);
        assertThat(r.classifyRules(Direction.EGRESS)).containsExactly(
                "-A NETCOST-EGRESS -d fd00:0:0:1::/64 -g NETCOST-E-SAME",
                "-A NETCOST-EGRESS -d fd00:0:0:2::/64 -g NETCOST-E-CROSS",
                "-A NETCOST-EGRESS -d 2001:db8:0:0:1::/80 -g NETCOST-E-VPC",
                "-A NETCOST-EGRESS -g NETCOST-E-VPC",
                "-A NETCOST-EGRESS -g NETCOST-E-INET");
        assertThat(r.classChains().get("NETCOST-E-SAME").specs()).containsExactly("-A NETCOST-E-SAME -s fd00:0:0:1::7/128 -j RETURN");
        assertThat(r.classChains().get("NETCOST-I-VPC").specs()).containsExactly("-A NETCOST-I-VPC -d fd00:0:0:1::7/128 -j RETURN");
        assertThat(r.owners()).containsOnlyKeys("fd00:0:0:1::7");
    }

    @Test
    void ipv4Rules_ofADualStackPod_ignoreItsIpv6Address() {
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "fd00::7", "10.10.1.2")),
                new ClassificationSets(List.of(), List.of(), List.of()), false);
        assertThat(r.owners()).containsOnlyKeys("10.10.1.2");
        assertThat(AccountingRules.build(names, List.of(pod("shop", "v4-0", "10.10.1.3")),
                new ClassificationSets(List.of(), List.of(), List.of()), true).classChains()).isEmpty();
    }

    @Test
    void classAboveTheSetThreshold_isClassifiedByOneSetRule_andItsMembersListed() {
        List<String> many = new java.util.ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add("10.20." + i + ".7/32");
        }
        many.add("10.21.0.0/16");
        AccountingRules r = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2")),
                new ClassificationSets(cidrs("10.10.0.0/16"), cidrs(many.toArray(String[]::new)), cidrs("10.0.0.0/8")),
                false, 16);
        assertThat(r.classifyRules(Direction.EGRESS)).containsExactly(
                "-A NETCOST-EGRESS -d 10.10.0.0/16 -g NETCOST-E-SAME",
                "-A NETCOST-EGRESS -m set --match-set NETCOST-4-CROSS dst -g NETCOST-E-CROSS",
                "-A NETCOST-EGRESS -d 10.0.0.0/8 -g NETCOST-E-VPC",
                "-A NETCOST-EGRESS -g NETCOST-E-INET");
        assertThat(r.classifyRules(Direction.INGRESS)).contains("-A NETCOST-INGRESS -m set --match-set NETCOST-4-CROSS src -g NETCOST-I-CROSS");
        assertThat(r.classChains().get("NETCOST-E-CROSS").specs()).containsExactly("-A NETCOST-E-CROSS -s 10.10.1.2/32 -j RETURN");
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
        assertThat(v4.classifyRules(Direction.EGRESS)).element(1).isEqualTo("-A NETCOST-EGRESS -g NETCOST-E-CROSS");
        AccountingRules v6 = AccountingRules.build(names, List.of(pod("shop", "web-0", "10.10.1.2", "fd00::7")), sets, true, 0);
        assertThat(v6.sets()).containsOnlyKeys("NETCOST-6-SAME", "NETCOST-6-VPC");
        assertThat(v6.sets().get("NETCOST-6-VPC")).containsExactly("fd00::1");
        assertThat(v6.sets().get("NETCOST-6-SAME")).containsExactly("fd00:10::/32");
        assertThat(AccountingRules.build(names, List.of(), sets, false, 0).sets()).isEmpty();
    }

    @Test
    void setNames_fitIpsetsLimit_withTheTemporarySuffix() {
        ChainNames longest = new ChainNames("P".repeat(ChainNames.MAX_PREFIX));
        String name = AccountingRules.setName(longest, true, TrafficClass.CROSS_ZONE);
        assertThat(name + IpsetReconciler.TEMP_SUFFIX).hasSizeLessThanOrEqualTo(31);
        assertThat(AccountingRules.setName(names, false, TrafficClass.SAME_ZONE)).isEqualTo("NETCOST-4-SAME");
    }
}
