package dev.netcost.iptables;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import java.nio.file.Path;
import java.time.Duration;

/** Registers the {@code iptables} exporter and reads its section. */
public final class IptablesExporterFactory implements ExporterFactory<IptablesConfig> {
    @Override
    public String configKey() {
        return "iptables";
    }

    @Override
    public IptablesConfig parseConfig(ConfigNode section) {
        IptablesConfig d = IptablesConfig.DEFAULT;
        boolean enabled = section.bool("enabled", d.enabled());
        String backendText = section.string("backend", d.backend().key());
        IptablesBackend backend = IptablesBackend.parse(backendText);
        if (backend == null) {
            section.error("backend", "must be one of auto, legacy, nft, save, got '" + backendText + "'");
            backend = d.backend();
        }
        String prefix = section.string("chainPrefix", d.chainPrefix());
        if (!IptablesConfig.PREFIX.matcher(prefix).matches()) {
            section.error("chainPrefix", "must be a letter followed by up to " + (ChainNames.MAX_PREFIX - 1)
                    + " letters, digits or '_', got '" + prefix + "'");
            prefix = d.chainPrefix();
        }
        boolean cleanup = section.bool("cleanupOnExit", d.cleanupOnExit());
        Duration lockWait = section.duration("lockWait", d.lockWait(), Duration.ofSeconds(1));
        Path netns = section.path("netns", null);
        ConfigNode c = section.child("commands");
        IptablesConfig.Commands dc = d.commands();
        IptablesConfig.Commands commands = new IptablesConfig.Commands(
                nonBlank(c, "legacySave", dc.legacySave()), nonBlank(c, "legacyRestore", dc.legacyRestore()),
                nonBlank(c, "nftSave", dc.nftSave()), nonBlank(c, "nftRestore", dc.nftRestore()),
                nonBlank(c, "nsenter", dc.nsenter()),
                nonBlank(c, "legacySave6", dc.legacySave6()), nonBlank(c, "legacyRestore6", dc.legacyRestore6()),
                nonBlank(c, "nftSave6", dc.nftSave6()), nonBlank(c, "nftRestore6", dc.nftRestore6()),
                nonBlank(c, "nft", dc.nft()));
        c.finish();
        boolean ipv6 = section.bool("ipv6", d.ipv6());
        int setThreshold = section.integer("setThreshold", d.setThreshold(), 0, Integer.MAX_VALUE);
        boolean cleanupOnUninstall = section.bool("cleanupOnUninstall", d.cleanupOnUninstall());
        return new IptablesConfig(enabled, backend, prefix, cleanup, lockWait, netns, commands, ipv6, setThreshold,
                cleanupOnUninstall);
    }

    private static String nonBlank(ConfigNode n, String key, String def) {
        String v = n.string(key, def);
        if (v.isBlank()) {
            n.error(key, "must not be empty");
            return def;
        }
        return v;
    }

    @Override
    public boolean enabled(IptablesConfig config) {
        return config.enabled();
    }

    @Override
    public Exporter create(IptablesConfig config, ExporterContext context) {
        return new IptablesExporter(config, context);
    }
}
