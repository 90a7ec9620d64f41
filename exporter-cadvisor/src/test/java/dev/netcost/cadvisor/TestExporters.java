package dev.netcost.cadvisor;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.spi.ExporterContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds a cadvisor exporter the way the agent does: from YAML, through the factory and ServiceLoader's config path. */
final class TestExporters {
    final AgentConfig config;
    final MeterRegistry meters = new SimpleMeterRegistry();
    final CadvisorExporter exporter;

    TestExporters(String yaml) {
        this(yaml, Map.of());
    }

    TestExporters(String yaml, Map<String, String> env) {
        CadvisorExporterFactory factory = new CadvisorExporterFactory(env);
        config = new ConfigLoader(env, List.of(factory)).loadString(yaml);
        ExporterContext ctx = new ExporterContext(config, meters, Clock.systemUTC(), new StaticClusterMetadata(config));
        exporter = (CadvisorExporter) factory.create(config.exporterConfig("cadvisor", CadvisorConfig.class), ctx);
    }

    /** One collection; samples without a source timestamp get -1. */
    List<Sample> collect() throws Exception {
        List<Sample> out = new ArrayList<>();
        exporter.collect((Labels l, double v, long ts) -> out.add(new Sample(l, v, ts == Long.MIN_VALUE ? -1 : ts)));
        return out;
    }

    double parseErrors() {
        return meters.get("netcost.agent.parse.errors").tag("exporter", "cadvisor").counter().count();
    }
}
