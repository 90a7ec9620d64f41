package dev.netcost.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.model.TextFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DebugPagesTest {
    private static final List<Sample> SAMPLES = List.of(
            new Sample(Labels.of("netcost_pod_network_bytes_total", "namespace", "shop", "pod", "cart-1",
                    "direction", "egress", "class", "cross_zone"), 1234, 1_700_000_000_000L),
            new Sample(Labels.of("netcost_ingress_info", "namespace", "shop", "ingress", "web"), 1, 1_700_000_000_000L));
    private static final String CONFIG_YAML = "interval: 15s\n";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicBoolean ready = new AtomicBoolean();

    @AfterEach
    void closeRegistry() {
        registry.close();
    }

    private DebugPages pages(boolean pagesEnabled) {
        return new DebugPages(() -> SAMPLES, ready::get, () -> CONFIG_YAML, registry, pagesEnabled);
    }

    @Test
    void healthzIsOk_whileNothingSaysOtherwise() {
        DebugResponse r = pages(true).respond("/healthz");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
        assertThat(r.contentType()).isEqualTo("text/plain; charset=utf-8");
    }

    @Test
    void healthzFails_withTheReason_whenLivenessReportsAProblem_andRecovers() {
        java.util.concurrent.atomic.AtomicReference<String> problem = new java.util.concurrent.atomic.AtomicReference<>(
                "no collection cycle has completed for 95 s");
        DebugPages pages = new DebugPages(() -> SAMPLES, ready::get, () -> CONFIG_YAML, registry, true, false, problem::get);
        DebugResponse r = pages.respond("/healthz");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("not live: no collection cycle has completed for 95 s");
        problem.set(null);
        assertThat(pages.respond("/healthz").status()).isEqualTo(200);
    }

    @Test
    void readyzFlipsFrom503To200_whenTheAgentBecomesReady() {
        DebugPages pages = pages(true);

        DebugResponse before = pages.respond("/readyz");
        ready.set(true);
        DebugResponse after = pages.respond("/readyz");

        assertThat(before.status()).isEqualTo(503);
        assertThat(before.body()).startsWith("not ready: ");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("ready");
    }

    @Test
    void metricsServesTheRegistryScrape_inTextFormat004() {
        Counter.builder("netcost.agent.test.events").description("test events").register(registry).increment(3);

        DebugResponse r = pages(true).respond("/metrics");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body()).contains("# TYPE netcost_agent_test_events_total counter",
                "netcost_agent_test_events_total 3.0");
    }

    @Test
    void debugSeriesServesTheLatestSamples_inTextFormat() {
        DebugResponse r = pages(true).respond("/debug/series");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo(TextFormat.CONTENT_TYPE);
        assertThat(r.body()).isEqualTo(TextFormat.toText(SAMPLES));
        assertThat(r.body()).contains("netcost_pod_network_bytes_total{", "} 1234 1700000000000\n");
    }

    @Test
    void debugSeriesIsEmpty_beforeTheFirstCycle() {
        DebugPages pages = new DebugPages(List::of, ready::get, () -> CONFIG_YAML, registry, true);

        DebugResponse r = pages.respond("/debug/series");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void debugConfigServesTheEffectiveConfig() {
        DebugResponse r = pages(true).respond("/debug/config");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/");
        assertThat(r.body()).isEqualTo(CONFIG_YAML);
    }

    @Test
    void indexListsEveryPage() {
        DebugResponse r = pages(true).respond("/");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("/healthz", "/readyz", "/metrics", "/debug/series", "/debug/config");
    }

    @Test
    void loopbackOnlyPages_forbidDebugToOtherClients_butServeProbesAndMetricsToAll() {
        DebugPages pages = new DebugPages(() -> SAMPLES, () -> true, () -> CONFIG_YAML, registry, true, true, () -> null);

        assertThat(pages.respond("/debug/series", false).status()).isEqualTo(403);
        assertThat(pages.respond("/debug/config", false).body()).contains("loopback", "kubectl port-forward")
                .doesNotContain(CONFIG_YAML);
        assertThat(pages.respond("/debug/series", true).status()).isEqualTo(200);
        assertThat(pages.respond("/debug/config", true).body()).isEqualTo(CONFIG_YAML);
        for (String open : new String[] {"/metrics", "/healthz", "/readyz", "/"}) {
            assertThat(pages.respond(open, false).status()).as(open).isEqualTo(200);
        }
        DebugPages everyone = new DebugPages(() -> SAMPLES, () -> true, () -> CONFIG_YAML, registry, true);
        assertThat(everyone.respond("/debug/series", false).status()).isEqualTo(200);
    }

    @Test
    void hidesDebugPages_whenPagesAreDisabled_butKeepsProbesAndMetrics() {
        DebugPages pages = pages(false);

        assertThat(pages.respond("/debug/series").status()).isEqualTo(404);
        assertThat(pages.respond("/debug/config").status()).isEqualTo(404);
        assertThat(pages.respond("/").body()).doesNotContain("/debug/");
        assertThat(pages.respond("/healthz").status()).isEqualTo(200);
        assertThat(pages.respond("/metrics").status()).isEqualTo(200);
    }

    @Test
    void answers404OnUnknownPaths() {
        DebugPages pages = pages(true);

        assertThat(pages.respond("/nope").status()).isEqualTo(404);
        assertThat(pages.respond("/debug/nope").status()).isEqualTo(404);
        assertThat(pages.respond("/debug").status()).isEqualTo(404);
        assertThat(pages.respond("/healthz/").status()).isEqualTo(404);
        assertThat(pages.respond("").status()).isEqualTo(404);
    }

    @Test
    void answers500_whenAPageFails_withoutThrowing() {
        DebugPages pages = new DebugPages(() -> {
            throw new IllegalStateException("boom");
        }, ready::get, () -> CONFIG_YAML, registry, true);

        DebugResponse r = pages.respond("/debug/series");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("boom");
    }
}
