package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.ConfigException;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.spi.ExporterFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class IptablesExporterFactoryTest {
    private static IptablesConfig load(String yaml) {
        List<ExporterFactory<?>> factories = List.of(new IptablesExporterFactory());
        return new ConfigLoader(Map.of(), factories).loadString(yaml).exporterConfig("iptables", IptablesConfig.class);
    }

    @Test
    void isRegisteredForServiceLoader_underTheIptablesKey() {
        List<String> keys = new ArrayList<>();
        ServiceLoader.load(ExporterFactory.class).forEach(f -> keys.add(f.configKey()));
        assertThat(keys).contains("iptables");
    }

    @Test
    void defaults_areOff_soNoRuleIsAddedUnlessAskedFor() {
        assertThat(load("nodeName: n\n")).isEqualTo(IptablesConfig.DEFAULT);
        assertThat(new IptablesExporterFactory().enabled(IptablesConfig.DEFAULT)).isFalse();
    }

    @Test
    void readsEveryKey() {
        IptablesConfig c = load("""
                iptables:
                  enabled: true
                  backend: nft
                  chainPrefix: NC_1
                  cleanupOnExit: true
                  lockWait: 2s
                  netns: /run/netns/node
                  commands:
                    legacySave: /sbin/a
                    legacyRestore: /sbin/b
                    nftSave: /sbin/c
                    nftRestore: /sbin/d
                    nsenter: /bin/e
                    legacySave6: /sbin/f
                    legacyRestore6: /sbin/g
                    nftSave6: /sbin/h
                    nftRestore6: /sbin/i
                    nft: /usr/sbin/nft
                  ipv6: false
                  setThreshold: 0
                  cleanupOnUninstall: false
                """);
        assertThat(c).isEqualTo(new IptablesConfig(true, IptablesBackend.NFT, "NC_1", true, Duration.ofSeconds(2),
                Path.of("/run/netns/node"), new IptablesConfig.Commands("/sbin/a", "/sbin/b", "/sbin/c", "/sbin/d", "/bin/e",
                "/sbin/f", "/sbin/g", "/sbin/h", "/sbin/i", "/usr/sbin/nft"), false, 0, false));
        assertThat(c.commands().ipv6().save(IptablesFamily.NFT)).isEqualTo("/sbin/h");
        assertThat(c.commands().ipv6().restore(IptablesFamily.LEGACY)).isEqualTo("/sbin/g");
    }

    @Test
    void reportsEveryBadValueAtOnce() {
        assertThatThrownBy(() -> load("""
                iptables:
                  backend: iptables
                  chainPrefix: THIS-IS-FAR-TOO-LONG
                  lockWait: 10ms
                  setThreshold: -1
                  commands:
                    nftSave: ""
                    legacy: x
                """)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("iptables.backend: must be one of auto, legacy, nft, save, got 'iptables'")
                .hasMessageContaining("iptables.chainPrefix")
                .hasMessageContaining("iptables.lockWait")
                .hasMessageContaining("iptables.setThreshold: must be between 0 and")
                .hasMessageContaining("iptables.commands.nftSave: must not be empty")
                .hasMessageContaining("iptables.commands.legacy: unknown key");
    }
}
