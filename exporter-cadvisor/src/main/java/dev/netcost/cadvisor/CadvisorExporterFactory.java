package dev.netcost.cadvisor;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.ExporterContext;
import dev.netcost.core.spi.ExporterFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Registered in META-INF/services: the {@code cadvisor} exporter. */
public final class CadvisorExporterFactory implements ExporterFactory<CadvisorConfig> {
    static final String NODE_IP_ENV = "NODE_IP";

    private final Map<String, String> env;

    public CadvisorExporterFactory() {
        this(System.getenv());
    }

    // VisibleForTesting
    CadvisorExporterFactory(Map<String, String> env) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    }

    @Override
    public String configKey() {
        return "cadvisor";
    }

    @Override
    public CadvisorConfig parseConfig(ConfigNode n) {
        boolean enabled = n.bool("enabled", true);
        String sourceText = n.string("source", "kubelet");
        CadvisorConfig.Source source = CadvisorConfig.Source.KUBELET;
        switch (sourceText.toLowerCase(Locale.ROOT)) {
            case "kubelet" -> source = CadvisorConfig.Source.KUBELET;
            case "procfs" -> source = CadvisorConfig.Source.PROCFS;
            default -> n.error("source", "must be kubelet or procfs, got '" + sourceText + "'");
        }
        URI url = n.has("url") ? n.httpUrl("url", true) : defaultUrl();
        Path token = optionalPath(n, "bearerTokenFile", CadvisorConfig.DEFAULT_TOKEN_FILE);
        Path ca = optionalPath(n, "caFile", CadvisorConfig.DEFAULT_CA_FILE);
        boolean insecure = n.bool("insecureSkipVerify", false);
        Duration timeout = n.duration("timeout", CadvisorConfig.DEFAULT_TIMEOUT, Duration.ofMillis(100));
        long maxBytes = n.bytes("maxBytes", CadvisorConfig.DEFAULT_MAX_BYTES, 1024);
        if (maxBytes > CadvisorConfig.MAX_MAX_BYTES) {
            n.error("maxBytes", "must be at most 1GiB, got " + maxBytes + " bytes");
            maxBytes = CadvisorConfig.DEFAULT_MAX_BYTES;
        }
        int maxSeries = n.integer("maxSeries", 0, 0, 100_000_000);
        String compressionText = n.string("compression", "none");
        CadvisorConfig.Compression compression = CadvisorConfig.Compression.NONE;
        switch (compressionText.toLowerCase(Locale.ROOT)) {
            case "none" -> compression = CadvisorConfig.Compression.NONE;
            case "gzip" -> compression = CadvisorConfig.Compression.GZIP;
            default -> n.error("compression", "must be none or gzip, got '" + compressionText + "'");
        }
        Path procRoot = n.path("procRoot", Path.of("/proc"));
        Path cgroupRoot = n.path("cgroupRoot", Path.of("/sys/fs/cgroup"));
        return new CadvisorConfig(enabled, source, url, token, ca, insecure, timeout, maxBytes, maxSeries,
                compression, procRoot, cgroupRoot);
    }

    /** {@code https://$NODE_IP:10250/metrics/cadvisor}, or null without NODE_IP (reported at the first scrape). */
    private URI defaultUrl() {
        String ip = env.get(NODE_IP_ENV);
        if (ip == null || ip.isBlank()) {
            return null;
        }
        String host = ip.trim();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        try {
            return new URI("https://" + host + ":10250/metrics/cadvisor");
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** A path with a default; an empty string turns it off (null). */
    private static Path optionalPath(ConfigNode n, String key, Path def) {
        String s = n.string(key, null);
        if (s == null) {
            return def;
        }
        return s.isBlank() ? null : n.path(key, def);
    }

    @Override
    public boolean enabled(CadvisorConfig config) {
        return config.enabled();
    }

    @Override
    public Exporter create(CadvisorConfig config, ExporterContext context) {
        return new CadvisorExporter(config, context);
    }
}
