package dev.netcost.webhook;

import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.config.Durations;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.log.ThrottledLogger;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.spi.ExporterContext;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code netcost webhook} runs besides the agent-core pipeline: the HTTPS server answering
 * admissions, the certificate reloads, the periodic lists from the API and the leader election, all
 * feeding one {@link RecordedObjects} that {@link #exporter()} emits.
 *
 * <p>Collection cycles are driven here, not by the pipeline's own scheduler: {@link #start} takes the
 * pipeline's cycle and runs it every interval, on a thread of its own, only while this replica is the
 * leader ({@link #liveness()} judges those cycles), so exactly one replica writes series, and a replica
 * that loses the lease stops writing without ending the series (no stale markers) that the new leader
 * goes on writing.
 *
 * <p>With no Kubernetes client ({@code kubernetes.enabled: false}) there are no lists and no election:
 * it records admissions only and always writes.
 *
 * <p>With {@code webhook.selfManagedTls.enabled}, {@link #start} first waits (retrying with backoff) until
 * the {@link WebhookCertificateManager} has a valid pair on disk, so it never serves without one, and then
 * repeats that check every {@code checkInterval}: renewals and a repaired {@code caBundle} need no restart.
 */
public final class WebhookRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookRuntime.class);
    private static final Duration RESYNC_RETRY = Duration.ofSeconds(30);
    private static final Duration CERTIFICATE_RETRY = Duration.ofSeconds(30);

    private final WebhookConfig config;
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final RecordedObjects objects;
    private final WebhookMetrics metrics;
    private final WebhookRoutes routes;
    private final WebhookExporter exporter;
    private final ResyncScraper resync;
    private final LeaderElection election;
    private final ThrottledLogger throttled;
    private final ScheduledExecutorService scheduler;
    /** Collection cycles, on a thread of their own: a slow list or certificate round never delays one. */
    private final ScheduledExecutorService cycles;
    private final WebhookCertificateManager certificates;
    private final LoadBalancerDiscovery discovery;
    private final ScheduledExecutorService discoveryScheduler;
    private final Duration discoveryInterval;
    private final Map<String, LoadBalancer> configuredLoadBalancers;
    private volatile boolean listedOnce;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Clock clock;
    private final Duration exporterTimeout;
    private WebhookServer server;
    private volatile ServerTlsReloader tls;
    private volatile Runnable cycle;
    /** How long the leader may go without completing a cycle, set by {@link #start}; null before. */
    private volatile Duration stallAfter;
    /** When this replica last started leading, or -1 (clock millis). */
    private volatile long leadingSinceMs = -1;
    /** When the last cycle completed, or -1 (clock millis). */
    private volatile long lastCycleMs = -1;
    private volatile boolean closing;

    private WebhookRuntime(Builder b) {
        this.config = b.config;
        this.client = b.client;
        this.ownsClient = b.ownsClient;
        this.clock = b.context.clock();
        this.exporterTimeout = b.context.agent().exporterTimeout();
        this.objects = new RecordedObjects(client != null);
        ResourceParser parser = new ResourceParser(config.labels().ingress(), config.labels().service());
        this.election = client == null || !config.leaderElection().enabled() ? null
                : new LeaderElection(client, config.leaderElection(),
                        namespaceOr(config.leaderElection().namespace(), client), identity(config), this::leading);
        this.metrics = new WebhookMetrics(b.context.meters(), objects, this::isLeader);
        SelfManagedTlsConfig self = config.selfManagedTls();
        this.certificates = !self.enabled() || client == null ? null
                : new WebhookCertificateManager(client, self, namespaceOr(self.secretNamespace(), client),
                        namespaceOr(self.serviceNamespace(), client), b.context.clock());
        if (self.enabled()) {
            metrics.certificateExpiry(() -> {
                ServerTlsReloader t = tls;
                return t == null ? null : t.certificate();
            });
        }
        AdmissionHandler admissions = new AdmissionHandler(parser, objects, metrics, b.context.clock());
        Supplier<String> metricsText = b.metricsText != null ? b.metricsText
                : b.context.meters() instanceof PrometheusMeterRegistry p ? p::scrape : () -> "";
        this.routes = new WebhookRoutes(admissions, this::isReady, this::liveness, metricsText);
        AwsConfig aws = b.context.agent().aws();
        this.discovery = client == null || !aws.enabled() || aws.loadBalancerConfigMap().isEmpty() ? null
                : new LoadBalancerDiscovery(aws, b.env, objects,
                        new LoadBalancerPublisher(client, namespaceOr(aws.loadBalancerConfigMapNamespace(), client),
                                aws.loadBalancerConfigMap(), b.context.clock()),
                        () -> listedOnce, this::isLeader, b.context.meters(), b.context.clock());
        this.discoveryInterval = aws.discoveryInterval();
        Map<String, LoadBalancer> configured = new java.util.LinkedHashMap<>();
        for (LoadBalancer lb : b.context.agent().loadBalancers()) {
            configured.put(lb.name().toLowerCase(java.util.Locale.ROOT), lb);
        }
        this.configuredLoadBalancers = Map.copyOf(configured);
        this.discoveryScheduler = discovery == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netcost-webhook-discovery");
            t.setDaemon(true);
            return t;
        });
        this.exporter = new WebhookExporter(objects, parser, this);
        this.resync = client == null ? null : new ResyncScraper(client, parser, objects);
        this.throttled = new ThrottledLogger(log, b.context.clock(), Duration.ofMinutes(5));
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "netcost-webhook-tasks");
            t.setDaemon(true);
            return t;
        });
        this.cycles = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netcost-webhook-cycle");
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The exporter to put into the pipeline whose cycle {@link #start} runs. */
    public WebhookExporter exporter() {
        return exporter;
    }

    /**
     * Loads the certificate (with self-managed TLS: first waits until there is one), starts serving,
     * lists, stands for election, and from then on runs {@code cycle} every {@code interval} while this
     * replica is the leader. Returns without serving when closed while waiting for the certificate.
     *
     * @throws StartupException for problems the user must fix (certificate files, listen address)
     */
    public void start(Runnable cycle, Duration interval) {
        Objects.requireNonNull(cycle, "cycle");
        if (config.selfManagedTls().enabled()) {
            if (certificates == null) {
                throw new StartupException("webhook.selfManagedTls.enabled needs the Kubernetes API (possible fixes:"
                        + " set kubernetes.enabled=true, or turn selfManagedTls off and give webhook.tlsCertFile and"
                        + " webhook.tlsKeyFile)", null);
            }
            if (!awaitCertificate()) {
                return;
            }
        }
        startServing(cycle, interval);
    }

    private synchronized void startServing(Runnable cycle, Duration interval) {
        if (closing) {
            return;
        }
        if (config.tlsCertFile() == null || config.tlsKeyFile() == null) {
            throw new StartupException("webhook.tlsCertFile and webhook.tlsKeyFile are required: the API server only"
                    + " calls webhooks over HTTPS (possible fixes: mount the Secret holding tls.crt and tls.key and"
                    + " point both keys at it)", null);
        }
        try {
            tls = new ServerTlsReloader(config.tlsCertFile(), config.tlsKeyFile());
        } catch (IOException | GeneralSecurityException e) {
            throw new StartupException("cannot load the webhook certificate: " + e.getMessage() + " (possible fixes:"
                    + " check webhook.tlsCertFile and webhook.tlsKeyFile point to PEM files of one key pair)", e);
        }
        server = new WebhookServer(tls, config, routes, metrics, clock);
        try {
            server.start(config.listen());
        } catch (IOException e) {
            throw new StartupException(e.getMessage(), e);
        }
        this.cycle = cycle;
        this.stallAfter = Pipeline.stallAfter(interval, exporterTimeout);
        long reload = config.tlsReloadInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::reloadTls, reload, reload, TimeUnit.MILLISECONDS);
        if (certificates != null) {
            Duration check = config.selfManagedTls().checkInterval();
            scheduler.schedule(this::checkCertificateAndReschedule, check.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (resync != null) {
            scheduler.execute(this::resyncAndReschedule);
        }
        if (election != null) {
            election.start();
        } else {
            leadingSinceMs = clock.millis();
            log.info("no leader election ({}): this replica writes series",
                    client == null ? "kubernetes.enabled is false" : "webhook.leaderElection.enabled is false");
        }
        cycles.scheduleAtFixedRate(this::cycleIfLeader, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        if (discovery != null) {
            // Its own thread: EC2 calls with retries may take seconds and must not delay cycles or resyncs.
            discoveryScheduler.scheduleWithFixedDelay(this::discoverIfLeader, discoveryInterval.toMillis(),
                    discoveryInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
        cycleNow();
    }

    /**
     * The load balancers {@code netcost_load_balancer_info} names, by lower-case name: those declared in
     * {@code loadBalancers[]} (standalone, or where discovery is off) and, with discovery, those the leader
     * last discovered; a declared one wins over a discovered one of the same name, as on the nodes.
     * Only a leader's cycles emit them.
     */
    Map<String, LoadBalancer> knownLoadBalancers() {
        if (discovery == null) {
            return configuredLoadBalancers;
        }
        Map<String, LoadBalancer> out = new java.util.LinkedHashMap<>(discovery.ofCluster());
        out.putAll(configuredLoadBalancers);
        return out;
    }

    private void leading() {
        leadingSinceMs = clock.millis();
        cycleNow();
        discoverNow();
    }

    private void discoverNow() {
        if (discovery != null && !closing) {
            try {
                discoveryScheduler.execute(this::discoverIfLeader);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void discoverIfLeader() {
        if (!closing && isLeader()) {
            discovery.discover();
        }
    }

    /** The bound HTTPS port. */
    public int port() {
        return server.port();
    }

    /** Serving with a certificate and not stopping. */
    public boolean isReady() {
        WebhookServer s = server;
        return !closing && s != null && s.isServing();
    }

    /** Whether this replica writes series now. */
    public boolean isLeader() {
        return !closing && (election == null || election.isLeader());
    }

    // VisibleForTesting
    RecordedObjects objects() {
        return objects;
    }

    // VisibleForTesting
    void resyncNow() throws IOException {
        resync.resync();
    }

    // VisibleForTesting
    ServerTlsReloader tls() {
        return tls;
    }

    private void cycleNow() {
        if (cycle != null && !closing) {
            cycles.execute(this::cycleIfLeader);
        }
    }

    private void cycleIfLeader() {
        Runnable c = cycle;
        if (c == null || !isLeader()) {
            return;
        }
        try {
            c.run();
        } catch (RuntimeException e) {
            log.error("BUG: collection cycle failed", e);
        }
        lastCycleMs = clock.millis();
    }

    /**
     * Null while this replica works; else why it should be restarted: it leads, and no collection cycle
     * has completed for longer than {@link Pipeline#stallAfter(Duration, Duration)} since it began to
     * lead. A follower runs no cycle, so it is never judged on them. Served on both {@code /healthz}.
     */
    public String liveness() {
        Duration stall = stallAfter;
        long since = Math.max(leadingSinceMs, lastCycleMs);
        if (stall == null || since < 0 || !isLeader()) {
            return null;
        }
        long age = clock.millis() - since;
        if (age <= stall.toMillis()) {
            return null;
        }
        return "no collection cycle has completed for " + age / 1000 + " s while leading (allowed: "
                + stall.toSeconds() + " s); see the log for a stuck exporter or sink";
    }

    /**
     * Runs certificate rounds until one succeeds, backing off from 1 s (or {@code checkInterval}, if
     * shorter) to 30 s.
     *
     * @return false when closed meanwhile
     */
    private boolean awaitCertificate() {
        Duration check = config.selfManagedTls().checkInterval();
        Duration backoff = check.compareTo(Duration.ofSeconds(1)) < 0 ? check : Duration.ofSeconds(1);
        while (!closing) {
            try {
                WebhookCertificateManager.Outcome o = certificates.ensure();
                metrics.certificateCheck(true);
                log.info("self-managed TLS ready: serving certificate for {} valid until {}", certificates.dnsNames(),
                        o.serving().getNotAfter().toInstant());
                return true;
            } catch (WebhookCertificateManager.SetupException e) {
                metrics.certificateCheck(false);
                throttled.warn("certificate-start-" + e.code(), "not serving yet: no serving certificate; retrying in {}:"
                        + " {}", Durations.format(backoff), e.getMessage());
            } catch (RuntimeException e) {
                metrics.certificateCheck(false);
                throttled.error("certificate-start-bug", "BUG: self-managed TLS round failed; retrying in {}",
                        Durations.format(backoff), e);
            }
            try {
                if (closed.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            backoff = backoff.multipliedBy(2);
            if (backoff.compareTo(CERTIFICATE_RETRY) > 0) {
                backoff = CERTIFICATE_RETRY;
            }
        }
        log.info("stopped while waiting for the serving certificate");
        return false;
    }

    /** One certificate round while serving: renewals and caBundle repairs; failures keep the current pair. */
    private void checkCertificateAndReschedule() {
        if (closing) {
            return;
        }
        Duration next = config.selfManagedTls().checkInterval();
        try {
            WebhookCertificateManager.Outcome o = certificates.ensure();
            metrics.certificateCheck(true);
            if (o.filesWritten()) {
                reloadTls();
            }
        } catch (WebhookCertificateManager.SetupException e) {
            if (closing) {
                return; // interrupted by close()
            }
            metrics.certificateCheck(false);
            next = CERTIFICATE_RETRY.compareTo(next) < 0 ? CERTIFICATE_RETRY : next;
            ServerTlsReloader t = tls;
            throttled.warn("certificate-" + e.code(), "self-managed TLS check failed, still serving the certificate"
                    + " valid until {}; retrying in {}: {}", t == null ? "?" : t.certificate().getNotAfter().toInstant(),
                    Durations.format(next), e.getMessage());
        } catch (RuntimeException e) {
            metrics.certificateCheck(false);
            next = CERTIFICATE_RETRY.compareTo(next) < 0 ? CERTIFICATE_RETRY : next;
            throttled.error("certificate-bug", "BUG: self-managed TLS round failed", e);
        }
        if (!closing) {
            scheduler.schedule(this::checkCertificateAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void reloadTls() {
        try {
            if (tls.reloadIfChanged()) {
                metrics.tlsReload(true);
                log.info("webhook certificate reloaded: new connections are served with '{}' valid until {}",
                        tls.certificate().getSubjectX500Principal().getName(), tls.certificate().getNotAfter());
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            metrics.tlsReload(false);
            throttled.warn("tls", "cannot reload the webhook certificate, still serving the previous one: {}"
                    + " (possible fixes: check both files are complete PEM of one key pair)", e.toString());
        }
    }

    private void resyncAndReschedule() {
        if (closing) {
            return;
        }
        Duration next = config.resync();
        try {
            resync.resync();
            metrics.resync(true);
            if (!listedOnce) {
                listedOnce = true;
                discoverNow(); // the first list brings the hostnames: no need to wait a discovery interval
            }
        } catch (IOException | RuntimeException e) {
            metrics.resync(false);
            next = RESYNC_RETRY.compareTo(next) < 0 ? RESYNC_RETRY : next;
            throttled.warn("resync", "cannot list Ingresses/Services from the API, retrying in {}: {} (possible"
                    + " fixes: check the ServiceAccount may list ingresses, services, ingressclasses and"
                    + " ingressclassparams cluster-wide)", Durations.format(next), e.toString());
        }
        if (!closing) {
            scheduler.schedule(this::resyncAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Stops writing first (releasing the lease so another replica takes over at once), then stops
     * serving. The caller flushes and closes the pipeline.
     */
    @Override
    public void close() {
        closing = true;
        closed.countDown(); // wakes a start() waiting for the certificate
        closeNow();
    }

    private synchronized void closeNow() {
        if (scheduler.isShutdown()) {
            return;
        }
        if (election != null) {
            election.close();
        }
        scheduler.shutdownNow();
        cycles.shutdownNow();
        if (discoveryScheduler != null) {
            discoveryScheduler.shutdownNow();
        }
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            cycles.awaitTermination(5, TimeUnit.SECONDS);
            if (discoveryScheduler != null) {
                discoveryScheduler.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (discovery != null) {
            discovery.close();
        }
        if (server != null) {
            server.close();
        }
        if (client != null && ownsClient) {
            client.close();
        }
    }

    /** {@code configured}, else the client's namespace (the pod's own), else {@code default}. */
    static String namespaceOr(String configured, KubernetesClient client) {
        if (!configured.isEmpty()) {
            return configured;
        }
        String ns = client.getNamespace();
        return ns == null || ns.isEmpty() ? "default" : ns;
    }

    static String identity(WebhookConfig config) {
        if (!config.leaderElection().identity().isEmpty()) {
            return config.leaderElection().identity();
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "netcost-webhook";
        }
        return host + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
    }

    /** A start-up problem the user must fix. */
    public static final class StartupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final class Builder {
        private WebhookConfig config;
        private ExporterContext context;
        private KubernetesClient client;
        private Supplier<String> metricsText;
        private boolean ownsClient;
        private Map<String, String> env = Map.of();

        private Builder() {
        }

        public Builder config(WebhookConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        public Builder context(ExporterContext context) {
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /** The API client for lists and the election; none (null) for standalone use. */
        public Builder client(KubernetesClient client) {
            this.client = client;
            return this;
        }

        /** Close the client with the runtime (when the runtime's creator made it for the runtime alone). */
        Builder ownsClient(boolean ownsClient) {
            this.ownsClient = ownsClient;
            return this;
        }

        /** What {@code /metrics} serves; default: the context's registry when it is a Prometheus one. */
        public Builder metricsText(Supplier<String> metricsText) {
            this.metricsText = Objects.requireNonNull(metricsText, "metricsText");
            return this;
        }

        /** The process environment: AWS credentials and region for discovery (default: none). */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        public WebhookRuntime build() {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(context, "context");
            return new WebhookRuntime(this);
        }
    }
}
