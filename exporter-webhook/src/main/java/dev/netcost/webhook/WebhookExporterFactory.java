package dev.netcost.webhook;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * The {@code webhook} section and the webhook exporter. It runs only in {@code netcost webhook}
 * ({@link #runsInNode()} is false): the node agent parses the section, so one file can configure both,
 * but never serves admissions.
 */
public final class WebhookExporterFactory implements ExporterFactory<WebhookConfig> {
    public static final String CONFIG_KEY = "webhook";

    @Override
    public String configKey() {
        return CONFIG_KEY;
    }

    @Override
    public WebhookConfig parseConfig(ConfigNode section) {
        return WebhookConfig.parse(section);
    }

    @Override
    public boolean enabled(WebhookConfig config) {
        return true;
    }

    @Override
    public boolean runsInNode() {
        return false;
    }

    /**
     * The exporter of a new {@link WebhookRuntime}; with {@code kubernetes.enabled} it talks to the API
     * with the in-cluster (or kubeconfig) credentials. Start it through {@link WebhookExporter#runtime()}.
     */
    @Override
    public WebhookExporter create(WebhookConfig config, ExporterContext context) {
        boolean k8s = context.agent().kubernetes().enabled();
        return WebhookRuntime.builder().config(config).context(context)
                .client(k8s ? new KubernetesClientBuilder().build() : null).ownsClient(k8s).env(System.getenv())
                .build().exporter();
    }
}
