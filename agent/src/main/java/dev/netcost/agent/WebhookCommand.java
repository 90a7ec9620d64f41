package dev.netcost.agent;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.spi.ExporterFactory;
import dev.netcost.webhook.WebhookExporterFactory;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code netcost webhook}: load the config, serve admissions until SIGTERM. */
final class WebhookCommand {
    private final CommandLine cl;
    private final Map<String, String> env;
    private final PrintStream err;

    WebhookCommand(CommandLine cl, Map<String, String> env, PrintStream err) {
        this.cl = cl;
        this.env = env;
        this.err = err;
    }

    int run() {
        if (cl.once()) {
            err.println("netcost webhook: --once applies to netcost node only (the webhook serves until stopped)");
            return Main.USAGE;
        }
        if (cl.config() == null) {
            err.println("netcost webhook: --config FILE is required (it names the certificate files in webhook.*)");
            return Main.USAGE;
        }
        List<ExporterFactory<?>> factories = Processes.discoverExporters();
        AgentConfig config = Processes.loadConfig(cl, env, factories, err);
        if (config == null) {
            return Main.USAGE;
        }
        WebhookExporterFactory factory = factories.stream().filter(WebhookExporterFactory.class::isInstance)
                .map(WebhookExporterFactory.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("BUG: the webhook exporter module is not on the class path"));
        WebhookAgent agent;
        try {
            agent = new WebhookAgent(config, factory, Clock.systemUTC());
        } catch (NodeAgent.StartupException e) {
            err.println("netcost: " + e.getMessage());
            return Main.USAGE;
        }
        try {
            agent.start();
        } catch (NodeAgent.StartupException e) {
            agent.close();
            err.println("netcost: " + e.getMessage());
            return Main.USAGE;
        }
        Processes.runUntilTerminated("handing over leadership, delivering queued samples", NodeCommand.SHUTDOWN_FLUSH,
                agent::stop);
        return Main.OK;
    }
}
