package dev.netcost.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.testing.MutableClusterMetadata;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** What the real-kernel ITs share: an exporter working in a test namespace, and its samples as a map. */
final class ExporterFixture {
    private ExporterFixture() {
    }

    /**
     * The backend keeping counting rules in the family's iptables mangle table: {@code legacy}, or
     * {@code save} on a namespace whose rules are in iptables-nft ({@code nft} would use netcost's own
     * nf_tables table instead: {@link NftExporterIT}).
     */
    static IptablesBackend backend(IptablesFamily family) {
        return family == IptablesFamily.LEGACY ? IptablesBackend.LEGACY : IptablesBackend.SAVE;
    }

    /**
     * The ways the traffic ITs run: the family holding the rules (and the test topology's NAT rules,
     * so that {@code auto}/{@code save} detection picks it) and how counters are read.
     */
    enum Mode {
        /** iptables-legacy, native getsockopt readers (IPv4 and IPv6). */
        LEGACY_SOCKOPT(IptablesFamily.LEGACY, IptablesBackend.LEGACY, "sockopt", "sockopt6"),
        /** iptables-legacy, {@code iptables-legacy-save -c}. */
        LEGACY_SAVE(IptablesFamily.LEGACY, IptablesBackend.SAVE, "save", "save"),
        /** iptables-nft, rules written with iptables-nft-restore, {@code iptables-nft-save -c}. */
        NFT_SAVE(IptablesFamily.NFT, IptablesBackend.SAVE, "save", "save");

        final IptablesFamily family;
        final IptablesBackend backend;
        final String reader;
        final String reader6;

        Mode(IptablesFamily family, IptablesBackend backend, String reader, String reader6) {
            this.family = family;
            this.backend = backend;
            this.reader = reader;
            this.reader6 = reader6;
        }
    }

    /** The family's program prefix: {@code iptables-legacy}, {@code iptables-nft}, or {@code ip6tables-...} with {@code ipv6}. */
    static String iptables(IptablesFamily family, boolean ipv6) {
        return (ipv6 ? "ip6tables-" : "iptables-") + family.label();
    }

    /** The exporters one test started (each closed when the test stops it, the rest after the test), then its topologies. */
    static final class Running implements AutoCloseable {
        private final List<IptablesExporter> exporters = new ArrayList<>();
        private final List<NodeTopology> topologies = new ArrayList<>();

        /** Removes {@code t} when this closes, after the exporters (which clean up inside it). */
        NodeTopology topology(NodeTopology t) {
            topologies.add(t);
            return t;
        }

        /** Starts one like {@link ExporterFixture#start}. */
        IptablesExporter start(Path netns, MutableClusterMetadata md, UnaryOperator<IptablesConfig> configure) throws Exception {
            IptablesExporter e = ExporterFixture.start(netns, md, configure);
            exporters.add(e);
            return e;
        }

        /** Closes one now, as an agent stopping (with its {@code cleanupOnExit}). */
        void stop(IptablesExporter e) throws Exception {
            exporters.remove(e);
            e.close();
        }

        @Override
        public void close() throws Exception {
            Exception failed = closeAll(exporters, null);
            failed = closeAll(topologies, failed); // deleting the node namespace destroys its sets too
            exporters.clear();
            topologies.clear();
            if (failed != null) {
                throw failed;
            }
        }

        private static Exception closeAll(List<? extends AutoCloseable> all, Exception failed) {
            for (AutoCloseable c : all) {
                try {
                    c.close();
                } catch (Exception ex) {
                    if (failed == null) {
                        failed = ex;
                    } else {
                        failed.addSuppressed(ex);
                    }
                }
            }
            return failed;
        }
    }

    /** A started exporter for node {@code node-1} in {@code netns}, with the default config changed by {@code configure}. */
    static IptablesExporter start(Path netns, MutableClusterMetadata md, UnaryOperator<IptablesConfig> configure)
            throws Exception {
        AgentConfig agent = new ConfigLoader(Map.of(), List.of(new IptablesExporterFactory())).loadString("nodeName: node-1\n");
        IptablesConfig config = configure.apply(agent.exporterConfig("iptables", IptablesConfig.class).withNetns(netns));
        IptablesExporter e = new IptablesExporter(config, new ExporterContext(agent, new SimpleMeterRegistry(),
                Clock.systemUTC(), md));
        e.start();
        return e;
    }

    /**
     * "namespace/pod direction class bytes|packets" → value, and for the load-balancer series
     * "namespace/pod lb=name/type direction class bytes" and "namespace/pod lb=name/type connections";
     * fails on a duplicate series or a foreign node/zone.
     */
    static Map<String, Double> collect(IptablesExporter e) throws Exception {
        Map<String, Double> out = new TreeMap<>();
        e.collect((Labels labels, double value, long ts) -> {
            assertThat(labels.get("node")).isEqualTo("node-1");
            assertThat(labels.get("zone")).isEqualTo("zone-a");
            String pod = labels.get("namespace") + "/" + labels.get("pod");
            String lb = pod + " lb=" + labels.get("load_balancer") + "/" + labels.get("load_balancer_type");
            String key = switch (labels.metricName()) {
                case PodCounters.BYTES -> pod + " " + labels.get("direction") + " " + labels.get("class") + " bytes";
                case PodCounters.PACKETS -> pod + " " + labels.get("direction") + " " + labels.get("class") + " packets";
                case PodCounters.LB_BYTES -> lb + " " + labels.get("direction") + " " + labels.get("class") + " bytes";
                case PodCounters.LB_CONNECTIONS -> lb + " connections";
                default -> throw new AssertionError("unexpected series " + labels);
            };
            Double old = out.put(key, value);
            assertThat(old).as("duplicate series %s", labels).isNull();
        });
        return out;
    }

    static double v(Map<String, Double> m, String key) {
        assertThat(m).containsKey(key);
        return m.get(key);
    }
}
