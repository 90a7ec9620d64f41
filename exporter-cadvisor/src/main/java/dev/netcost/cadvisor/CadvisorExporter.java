package dev.netcost.cadvisor;

import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.spi.SourceUnavailableException;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-pod network counters under cAdvisor's family names, from the kubelet's
 * {@code /metrics/cadvisor} ({@code cadvisor.source: kubelet}) or straight from procfs
 * ({@code procfs}); both give the same series and labels, see {@link PodSeriesLabels}.
 */
final class CadvisorExporter implements Exporter {
    static final String NAME = "cadvisor";
    private static final Logger LOG = LoggerFactory.getLogger(CadvisorExporter.class);

    private final CadvisorConfig config;
    private final Counter parseErrors;
    private final ThrottledLogger throttled;
    private final KubeletCadvisorScraper scraper;
    private final CadvisorTextParser parser = new CadvisorTextParser();
    private final KubeletSampleFilter filter;
    private final ProcfsNetworkReader procfs;

    CadvisorExporter(CadvisorConfig config, ExporterContext ctx) {
        this.config = config;
        this.parseErrors = Counter.builder("netcost.agent.parse.errors")
                .description("Malformed lines skipped while parsing a source")
                .tag("exporter", NAME)
                .register(ctx.meters());
        this.throttled = new ThrottledLogger(LOG, ctx.clock(), Duration.ofMinutes(10));
        PodSeriesLabels labels = new PodSeriesLabels(ctx.metadata());
        this.filter = new KubeletSampleFilter(labels, ctx.metadata());
        if (config.source() == CadvisorConfig.Source.KUBELET && config.url() != null) {
            // Leave a little of the pipeline's budget so that the scraper's own, clearer error wins.
            Duration budget = ctx.agent().exporterTimeout().minusMillis(500);
            Duration timeout = config.timeout().compareTo(budget) < 0 || budget.toMillis() < 100
                    ? config.timeout() : budget;
            this.scraper = new KubeletCadvisorScraper(config.url(), config.bearerTokenFile(), config.caFile(),
                    config.insecureSkipVerify(), timeout, config.maxBytes());
        } else {
            this.scraper = null;
        }
        this.procfs = config.source() == CadvisorConfig.Source.PROCFS
                ? new ProcfsNetworkReader(config.procRoot(), config.cgroupRoot(), ctx.metadata(), ctx.agent().pods(),
                        labels)
                : null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        LOG.info("cadvisor exporter: source {}{}", config.source().name().toLowerCase(java.util.Locale.ROOT),
                config.source() == CadvisorConfig.Source.KUBELET
                        ? config.url() == null ? " (no URL: NODE_IP not set)" : " " + config.url()
                        : " " + config.procRoot() + ", " + config.cgroupRoot());
    }

    @Override
    public void collect(SampleConsumer out) throws Exception {
        int malformed;
        if (procfs != null) {
            malformed = procfs.collect(out);
        } else {
            if (scraper == null) {
                throw new SourceUnavailableException("no kubelet URL: cadvisor.url is not set and " 
                        + CadvisorExporterFactory.NODE_IP_ENV + " is not in the environment; possible fixes: set "
                        + CadvisorExporterFactory.NODE_IP_ENV + " from the downward API (status.hostIP), set"
                        + " cadvisor.url, or cadvisor.enabled: false");
            }
            KubeletCadvisorScraper.Body body = scraper.scrape();
            filter.begin(out);
            try {
                malformed = parser.parse(body.bytes(), 0, body.length(), filter);
            } finally {
                filter.end();
            }
        }
        if (malformed > 0) {
            parseErrors.increment(malformed);
            throttled.warn("malformed", "cadvisor: skipped {} malformed lines from {} (counted in"
                    + " netcost_agent_parse_errors_total{exporter=\"cadvisor\"})", malformed,
                    procfs != null ? "/proc/<pid>/net/dev" : "the kubelet");
        }
    }
}
