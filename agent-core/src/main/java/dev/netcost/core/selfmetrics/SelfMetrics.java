package dev.netcost.core.selfmetrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The agent's own meters: one Prometheus registry per agent (never {@code Metrics.globalRegistry}),
 * with JVM and process meters bound. The pipeline, the sinks and the exporters register their
 * {@code netcost.agent.*} meters on {@link #registry()}; the debug endpoint serves it on {@code /metrics}.
 *
 * <p>Two of Micrometer's meters break Prometheus naming rules ({@code promtool check metrics}) and are
 * fixed here rather than ignored:
 * <ul>
 *   <li>{@code process.cpu.time} has base unit {@code ns} ({@code process_cpu_time_ns_total}); a meter
 *       filter cannot rescale values, so it is replaced by the conventional
 *       {@code process_cpu_seconds_total};</li>
 *   <li>{@code system.cpu.count} is a gauge ending in {@code _count}, a suffix reserved for summaries and
 *       histograms; it gets base unit {@code cpus} ({@code system_cpu_count_cpus}), as Micrometer itself
 *       does for {@code jvm_buffer_count_buffers}.</li>
 * </ul>
 */
public final class SelfMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    // Function counters hold their object weakly.
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    public SelfMetrics() {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Filters apply to meters registered after them, so they come first.
        registry.config()
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        return id.getName().equals("system.cpu.count") ? id.withBaseUnit("cpus") : id;
                    }
                });
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        bindProcessCpuSeconds();
    }

    private void bindProcessCpuSeconds() {
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("Total user and system CPU time spent by the agent's process")
                    .register(registry);
        }
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Removes the GC notification listeners and closes the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
