package dev.netcost.iptables;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the iptables family that holds the node's rules, like kube-proxy's iptables-wrapper: the
 * family whose mangle table has kubelet's/kube-proxy's marker chain ({@code KUBE-IPTABLES-HINT},
 * {@code KUBE-KUBELET-CANARY}) wins; otherwise the one with more rules (netcost's own not counted);
 * nft on a tie, as on a fresh node.
 */
final class BackendDetector {
    private static final Logger LOG = LoggerFactory.getLogger(BackendDetector.class);

    private final CommandRunner runner;
    private final IptablesConfig.Commands commands;
    private final IptablesSaveParser parser;

    BackendDetector(CommandRunner runner, IptablesConfig.Commands commands, ChainNames names) {
        this.runner = runner;
        this.commands = commands;
        this.parser = new IptablesSaveParser(names);
    }

    /** The family to use; throws {@link CommandRunner.NotFoundException} when neither save program runs. */
    IptablesFamily detect() throws IOException, InterruptedException {
        MangleSnapshot legacy = snapshot(IptablesFamily.LEGACY);
        MangleSnapshot nft = snapshot(IptablesFamily.NFT);
        if (legacy == null && nft == null) {
            throw new CommandRunner.NotFoundException("neither " + commands.legacySave() + " nor " + commands.nftSave()
                    + " could be run (possible fixes: install iptables, or set iptables.commands.*)", null);
        }
        IptablesFamily chosen;
        String why;
        if (legacy == null || nft == null) {
            chosen = legacy == null ? IptablesFamily.NFT : IptablesFamily.LEGACY;
            why = "the other family's save program is unavailable";
        } else if (nft.kubernetesHint() != legacy.kubernetesHint()) {
            chosen = nft.kubernetesHint() ? IptablesFamily.NFT : IptablesFamily.LEGACY;
            why = "its mangle table has the Kubernetes marker chain";
        } else {
            chosen = legacy.foreignRules() > nft.foreignRules() ? IptablesFamily.LEGACY : IptablesFamily.NFT;
            why = "rules: legacy " + legacy.foreignRules() + ", nft " + nft.foreignRules();
        }
        LOG.info("iptables backend: {} ({})", chosen.label(), why);
        return chosen;
    }

    private MangleSnapshot snapshot(IptablesFamily family) throws IOException, InterruptedException {
        try {
            CommandRunner.Result r = runner.run(List.of(commands.save(family)), null);
            if (r.exitCode() != 0) {
                LOG.debug("{} exited with {}: {}", commands.save(family), r.exitCode(), r.stderr());
                return null;
            }
            return parser.snapshot(r.stdoutText());
        } catch (CommandRunner.NotFoundException e) {
            LOG.debug("{}", e.getMessage());
            return null;
        }
    }
}
