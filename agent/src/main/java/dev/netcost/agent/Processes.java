package dev.netcost.agent;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigException;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.EffectiveConfig;
import dev.netcost.core.http.DebugPages;
import dev.netcost.core.http.DebugServer;
import dev.netcost.core.pipeline.LatestSamplesSink;
import dev.netcost.core.pipeline.Pipeline;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.netcost.core.spi.ExporterFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code netcost node} and {@code netcost webhook} do alike: configuration, the debug endpoint and SIGTERM. */
final class Processes {
    private static final Logger LOG = LoggerFactory.getLogger(Processes.class);

    private Processes() {
    }

    /** The exporter factories on the class path. */
    static List<ExporterFactory<?>> discoverExporters() {
        List<ExporterFactory<?>> out = new ArrayList<>();
        for (ExporterFactory<?> f : ServiceLoader.load(ExporterFactory.class)) {
            out.add(f);
        }
        return out;
    }

    /** The configuration of {@code --config} and {@code --set}, or null after printing its problems to {@code err}. */
    static AgentConfig loadConfig(CommandLine cl, Map<String, String> env, List<ExporterFactory<?>> factories,
                                  PrintStream err) {
        try {
            return new ConfigLoader(env, factories).load(cl.config(), cl.overrides());
        } catch (ConfigException e) {
            err.println("netcost: " + e.getMessage());
            return null;
        }
    }

    /**
     * The debug endpoint of {@code debug.*}, or null when {@code debug.enabled} is false; {@code /healthz}
     * fails with the text {@code liveness} gives when it is not null.
     */
    static DebugServer debugServer(AgentConfig config, LatestSamplesSink latest, BooleanSupplier ready,
                                   PrometheusMeterRegistry registry, Supplier<String> liveness) {
        return config.debug().enabled()
                ? new DebugServer(new DebugPages(latest::latest, ready, () -> EffectiveConfig.render(config), registry,
                        config.debug().pages(), config.debug().pagesLoopbackOnly(), liveness))
                : null;
    }

    /**
     * Ends the process after a {@link VirtualMachineError} (out of memory, stack overflow): its state can
     * no longer be trusted, and a restart by Kubernetes is the only recovery. Halts at once, as
     * {@code -XX:+ExitOnOutOfMemoryError} does, with exit code {@link Main#FATAL}; the message goes
     * to stderr directly, since logging may need the memory that ran out.
     */
    static void exitOnFatal(Throwable e) {
        try {
            System.err.println("netcost: fatal " + e + "; exiting with code " + Main.FATAL
                    + " so that the agent is restarted (possible fixes: raise the memory limit)");
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(Main.FATAL);
        }
    }

    /** Threads other than the pipeline's (HTTP clients, Netty) end the process on a VirtualMachineError too. */
    static void exitOnFatalInAnyThread() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof VirtualMachineError) {
                exitOnFatal(e);
            } else if (previous != null) {
                previous.uncaughtException(t, e);
            } else {
                LOG.error("uncaught exception in thread {}", t.getName(), e);
            }
        });
    }

    /** Starts {@code server} (if any) on {@code debug.listen}; a taken port is a start-up error. */
    static void startDebug(DebugServer server, AgentConfig config) {
        if (server == null) {
            return;
        }
        try {
            server.start(config.debug().listen());
        } catch (IOException e) {
            throw new NodeAgent.StartupException("cannot listen on debug.listen " + config.debug().listen() + ": "
                    + e.getMessage() + " (possible fixes: pick a free port, or set debug.enabled=false)", e);
        }
    }

    /** Delivers what the pipeline's sinks hold for at most {@code timeout}; true when all of it was delivered. */
    static boolean flush(Pipeline pipeline, Duration timeout) {
        try {
            return pipeline.flush(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Blocks until the JVM is asked to stop (SIGTERM, SIGINT), then runs {@code stop} with the flush budget
     * from the shutdown hook so that queued samples are delivered before the process exits.
     *
     * @param stopping what the log says when stopping begins
     * @param stop     flushes for at most the given time and stops; true when everything was delivered
     */
    static void runUntilTerminated(String stopping, Duration flush, Predicate<Duration> stop) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping: {} (at most {} s)", stopping, flush.toSeconds());
            boolean delivered = stop.test(flush);
            LOG.info("stopped{}", delivered ? "" : "; some samples were not delivered");
            stopped.countDown();
        }, "netcost-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
