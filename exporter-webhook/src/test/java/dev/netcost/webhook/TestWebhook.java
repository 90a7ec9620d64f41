package dev.netcost.webhook;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.spi.ExporterContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** A webhook runtime configured from YAML, as {@code netcost webhook} would load it. */
final class TestWebhook {
    final AgentConfig agent;
    final WebhookConfig config;
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final ExporterContext context;

    TestWebhook(String yaml) {
        this(yaml, Clock.systemUTC());
    }

    TestWebhook(String yaml, Clock clock) {
        agent = new ConfigLoader(Map.of(), List.of(new WebhookExporterFactory())).loadString(yaml);
        config = agent.exporterConfig(WebhookExporterFactory.CONFIG_KEY, WebhookConfig.class);
        context = new ExporterContext(agent, meters, clock, new StaticClusterMetadata(agent));
    }

    WebhookRuntime runtime(KubernetesClient client) {
        return WebhookRuntime.builder().config(config).context(context).client(client).build();
    }
}
