package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Detection like kube-proxy's iptables-wrapper, in a namespace of its own. */
class BackendDetectorIT {
    private final ChainNames names = new ChainNames("NETCOST");
    private Netns ns;
    private CommandRunner runner;

    @BeforeEach
    void setUp() {
        ns = Netns.create("detect");
        runner = new CommandRunner(ns.path(), "nsenter", Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private IptablesFamily detect() throws Exception {
        return new BackendDetector(runner, IptablesConfig.Commands.DEFAULT, names).detect();
    }

    @Test
    void emptyNode_isNft() throws Exception {
        assertThat(detect()).isEqualTo(IptablesFamily.NFT);
    }

    @Test
    void theFamilyWithMoreRulesWins_notCountingNetcostsOwn() throws Exception {
        ns.exec("iptables-legacy", "-w", "-t", "nat", "-A", "POSTROUTING", "-o", "eth9", "-j", "MASQUERADE");
        ns.exec("iptables-legacy", "-w", "-A", "FORWARD", "-i", "eth9", "-j", "ACCEPT");
        ns.exec("iptables-nft", "-w", "-t", "mangle", "-N", "NETCOST-E-SAME");
        ns.exec("iptables-nft", "-w", "-t", "mangle", "-N", "NETCOST-EGRESS");
        ns.exec("iptables-nft", "-w", "-t", "mangle", "-A", "NETCOST-EGRESS", "-g", "NETCOST-E-SAME");
        for (int i = 0; i < 5; i++) {
            ns.exec("iptables-nft", "-w", "-t", "mangle", "-A", "NETCOST-E-SAME", "-s", "10.0.0." + i + "/32", "-j", "RETURN");
        }
        assertThat(detect()).isEqualTo(IptablesFamily.LEGACY);
    }

    @Test
    void kubernetesHintChainWins_overRuleCounts() throws Exception {
        ns.exec("iptables-legacy", "-w", "-A", "FORWARD", "-i", "eth9", "-j", "ACCEPT");
        ns.exec("iptables-nft", "-w", "-t", "mangle", "-N", "KUBE-IPTABLES-HINT");
        assertThat(detect()).isEqualTo(IptablesFamily.NFT);
    }

    @Test
    void neitherProgram_isSourceAbsent() {
        IptablesConfig.Commands missing = new IptablesConfig.Commands("/nonexistent/a", "/nonexistent/b", "/nonexistent/c",
                "/nonexistent/d", "nsenter");
        assertThatThrownBy(() -> new BackendDetector(runner, missing, names).detect())
                .isInstanceOf(CommandRunner.NotFoundException.class);
    }
}
