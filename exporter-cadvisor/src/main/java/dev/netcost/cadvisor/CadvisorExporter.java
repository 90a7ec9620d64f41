package dev.netcost.cadvisor;

import dev.netcost.core.log.Printable;
import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.SampleConsumer;
import dev.netcost.core.spi.SourceUnavailableException;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
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
        filter.maxSeries(config.effectiveMaxSeries(Runtime.getRuntime().maxMemory()));
        if (config.source() == CadvisorConfig.Source.KUBELET && config.url() != null) {
            this.scraper = new KubeletCadvisorScraper(config.url(), config.bearerTokenFile(), config.caFile(),
                    config.insecureSkipVerify(), scrapeTimeout(config.timeout(), ctx.agent().exporterTimeout()),
                    config.maxBytes(), config.compression() == CadvisorConfig.Compression.GZIP);
        } else {
            this.scraper = null;
        }
        this.procfs = config.source() == CadvisorConfig.Source.PROCFS
                ? new ProcfsNetworkReader(config.procRoot(), config.cgroupRoot(), ctx.metadata(), ctx.agent().pods(),
                        labels)
                : null;
    }

    /**
     * {@code cadvisor.timeout}, capped so that a tenth of the pipeline's budget is left: the scraper's
     * own error (which says what to check) then wins over the pipeline's timeout at any interval.
     */
    static Duration scrapeTimeout(Duration configured, Duration exporterTimeout) {
        Duration budget = exporterTimeout.minus(exporterTimeout.dividedBy(10));
        return configured.compareTo(budget) < 0 ? configured : budget;
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
    public void close() {
        if (scraper != null) {
            scraper.close();
        }
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
            malformed = scrapeKubelet(out);
        }
        report(malformed);
    }

    /** One streamed scrape of the kubelet: parsed as it arrives, so memory does not follow the body's size. */
    private int scrapeKubelet(SampleConsumer out) throws Exception {
        try (KubeletCadvisorScraper.Answer answer = scraper.open()) {
            int malformed;
            filter.begin(out);
            try {
                malformed = parser.parse(answer, filter);
            } catch (KubeletSampleFilter.TooManySeriesException e) {
                throw new IOException("the kubelet's answer holds more than " + e.limit() + " pod network series"
                        + " (cadvisor.maxSeries" + (config.maxSeries() == 0 ? ", derived from the heap: "
                        + CadvisorConfig.HEAP_PER_SERIES / 1024 + " KiB per series" : "") + "); scrape aborted to"
                        + " protect the agent's memory; possible fixes: raise the memory limit (the JVM heap), set"
                        + " cadvisor.maxSeries, or use cadvisor.source: procfs");
            } finally {
                filter.end();
            }
            if (parser.longLines() > 0) {
                throttled.warn("long-lines", "cadvisor: skipped {} lines longer than {} bytes from the kubelet",
                        parser.longLines(), CadvisorTextParser.WINDOW);
            }
            if (parser.keptLines() == 0) {
                throw new IOException("the answer from the kubelet (Content-Type '"
                        + (answer.contentType().isEmpty() ? "none" : Printable.of(answer.contentType()))
                        + "') holds none of the container_network_* families, not even the node's own; possible"
                        + " fixes: check that cadvisor.url is the kubelet's /metrics/cadvisor (a kubelet always"
                        + " reports its root cgroup's network)");
            }
            return malformed;
        }
    }

    private void report(int malformed) {
        if (malformed > 0) {
            parseErrors.increment(malformed);
            throttled.warn("malformed", "cadvisor: skipped {} malformed lines from {} (counted in"
                    + " netcost_agent_parse_errors_total{exporter=\"cadvisor\"})", malformed,
                    procfs != null ? "/proc/<pid>/net/dev" : "the kubelet");
        }
    }
}
