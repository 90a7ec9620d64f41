package dev.netcost.core.selfmetrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import org.junit.jupiter.api.Test;

class SelfMetricsTest {
    @Test
    void bindsJvmAndProcessMeters() {
        try (SelfMetrics m = new SelfMetrics()) {
            assertThat(m.registry().find("jvm.memory.used").gauges()).isNotEmpty();
            assertThat(m.registry().find("jvm.threads.live").gauge()).isNotNull();
            assertThat(m.registry().find("jvm.classes.loaded").gauge()).isNotNull();
            assertThat(m.registry().find("process.uptime").timeGauge()).isNotNull();
            assertThat(m.registry().find("process.cpu").functionCounter()).isNotNull();
            assertThat(m.registry().find("process.cpu.time").meter()).isNull();
            assertThat(m.registry().find("system.cpu.count").gauge().getId().getBaseUnit()).isEqualTo("cpus");
        }
    }

    @Test
    void keepsEachAgentsMetersApart_andOutOfTheGlobalRegistry() {
        try (SelfMetrics a = new SelfMetrics(); SelfMetrics b = new SelfMetrics()) {
            Counter.builder("netcost.agent.test.events").register(a.registry()).increment();

            assertThat(b.registry().find("netcost.agent.test.events").counter()).isNull();
            assertThat(Metrics.globalRegistry.getRegistries()).doesNotContain(a.registry(), b.registry());
            assertThat(Metrics.globalRegistry.find("jvm.memory.used").meters()).isEmpty();
        }
    }
}
