package dev.netcost.bench;

import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.selfmetrics.SelfMetrics;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.webhook.WebhookConfig;
import dev.netcost.webhook.WebhookExporterFactory;
import dev.netcost.webhook.WebhookRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The webhook server alone, in its own JVM, for {@link WebhookLoadGenerator}: standalone
 * ({@code kubernetes.enabled: false}), no sink (collection cycles are not part of the admission path).
 * Prints {@code PORT n}; on the stdin line {@code heap} collects garbage and prints {@code HEAP bytes}.
 *
 * <p>Usage: {@code WebhookBenchServer CERT KEY [label keys, comma-separated]}
 */
public final class WebhookBenchServer {
    private WebhookBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        String yaml = """
                kubernetes: {enabled: false}
                debug: {enabled: false}
                webhook:
                  listen: 127.0.0.1:0
                  tlsCertFile: %s
                  tlsKeyFile: %s
                  labels: {ingress: [team, app.kubernetes.io/name], service: [team, app.kubernetes.io/name]}
                """.formatted(args[0], args[1]);
        AgentConfig agent = new ConfigLoader(Map.of(), List.of(new WebhookExporterFactory())).loadString(yaml);
        WebhookConfig config = agent.exporterConfig(WebhookExporterFactory.CONFIG_KEY, WebhookConfig.class);
        try (SelfMetrics metrics = new SelfMetrics()) {
            WebhookRuntime runtime = WebhookRuntime.builder().config(config)
                    .context(new ExporterContext(agent, metrics.registry(), Clock.systemUTC(),
                            new StaticClusterMetadata(agent)))
                    .build();
            runtime.start(() -> { }, Duration.ofHours(1));
            System.out.println("PORT " + runtime.port());
            System.out.flush();
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("heap")) {
                    for (int i = 0; i < 4; i++) {
                        System.gc();
                        Thread.sleep(200); // lets concurrent cleanup finish between collections
                    }
                    System.out.println("HEAP " + memory.getHeapMemoryUsage().getUsed());
                    System.out.flush();
                }
            }
            runtime.close();
        }
    }
}
