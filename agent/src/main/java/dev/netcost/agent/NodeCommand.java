package dev.netcost.agent;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.Durations;
import dev.netcost.core.pipeline.CycleResult;
import dev.netcost.core.spi.ExporterFactory;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code netcost node}: load the config, run the node agent once or until SIGTERM. */
final class NodeCommand {
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommand.class);
    /** SIGTERM must be handled within 10 s (the default terminationGracePeriod is 30 s). */
    static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(7);
    static final Duration ONCE_FLUSH = Duration.ofSeconds(60);

    private final CommandLine cl;
    private final Map<String, String> env;
    private final PrintStream err;

    NodeCommand(CommandLine cl, Map<String, String> env, PrintStream err) {
        this.cl = cl;
        this.env = env;
        this.err = err;
    }

    int run() {
        Processes.exitOnFatalInAnyThread();
        List<ExporterFactory<?>> factories = Processes.discoverExporters(); // once: the loader and the agent share them
        AgentConfig config = Processes.loadConfig(cl, env, factories, err);
        if (config == null) {
            return Main.USAGE;
        }
        NodeAgent agent;
        try {
            agent = new NodeAgent(config, factories, Clock.systemUTC());
        } catch (NodeAgent.StartupException e) {
            err.println("netcost: " + e.getMessage());
            return Main.USAGE;
        }
        try {
            agent.start(!cl.once());
        } catch (NodeAgent.StartupException e) {
            agent.close();
            err.println("netcost: " + e.getMessage());
            return Main.USAGE;
        }
        if (cl.once()) {
            return runOnce(agent);
        }
        Processes.runUntilTerminated("delivering queued samples", SHUTDOWN_FLUSH, agent::stop);
        return Main.OK;
    }

    /**
     * One cycle, once the Kubernetes metadata has synced or {@code interval} has passed (what a running
     * agent would have waited); exit 1 unless everything was delivered with the metadata in place.
     */
    private int runOnce(NodeAgent agent) {
        boolean synced = awaitSync(agent, agent.config().interval());
        CycleResult r = agent.pipeline().runOnce();
        boolean delivered = agent.stop(ONCE_FLUSH);
        LOG.info("one cycle: {} samples, exporters {}, {}", r.samples(), r.success(),
                delivered ? "all delivered" : "NOT all delivered");
        if (!synced) {
            LOG.error("the Kubernetes metadata never synced within {} (interval): pods, workloads and zones are"
                    + " missing from the samples; possible fixes: check that the API server is reachable and the"
                    + " agent's RBAC (docs/rbac.md), or set kubernetes.enabled: false for standalone use",
                    Durations.format(agent.config().interval()));
        }
        return delivered && synced ? Main.OK : Main.FAILED;
    }

    private static boolean awaitSync(NodeAgent agent, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!agent.metadata().hasSynced()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50); // the informers offer no callback for their first list
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return agent.metadata().hasSynced();
            }
        }
        return true;
    }
}
