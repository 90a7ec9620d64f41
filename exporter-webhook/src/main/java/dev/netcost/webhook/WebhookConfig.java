package dev.netcost.webhook;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code webhook} section, read by {@code netcost webhook}; documented in docs/configuration.md.
 *
 * @param listen            {@code webhook.listen}, default {@code 0.0.0.0:8443}
 * @param tlsCertFile       {@code webhook.tlsCertFile}: PEM server certificate chain (required to run); with
 *                          self-managed TLS, {@code selfManagedTls.certDir}/tls.crt
 * @param tlsKeyFile        {@code webhook.tlsKeyFile}: its PEM private key (required to run); with self-managed
 *                          TLS, {@code selfManagedTls.certDir}/tls.key
 * @param tlsReloadInterval how often the two files are checked for changes, default 10s
 * @param maxBodyBytes      largest accepted request body, default 4 MiB; larger ones get 413
 * @param workerThreads     threads decoding and recording admissions, default 2
 * @param resync            time between full lists from the API, default 10m
 * @param labels            allow-listed Kubernetes label keys per kind
 * @param leaderElection    which replica writes series
 * @param selfManagedTls    the webhook's own CA, serving certificate and caBundle upkeep
 * @param maxConnections    open connections at most, default 256; a new one beyond closes the connection that
 *                          has kept the server waiting longest
 * @param maxInFlightBodyBytes request bodies held at once (being received, queued or decoded), default an eighth
 *                          of the heap and at least {@code maxBodyBytes}; a body beyond closes the slowest uploads
 * @param headerTimeout     deadline for a request's head: from the connection's start (TLS handshake included)
 *                          or from the first byte of a later request on it, default 5s
 * @param bodyTimeout       deadline for a request's whole body, from the end of its head, default 10s
 * @param idleTimeout       a connection waiting for its next request is closed after this, default 120s
 */
public record WebhookConfig(
        HostPort listen,
        Path tlsCertFile,
        Path tlsKeyFile,
        Duration tlsReloadInterval,
        long maxBodyBytes,
        int workerThreads,
        Duration resync,
        LabelsConfig labels,
        LeaderElectionConfig leaderElection,
        SelfManagedTlsConfig selfManagedTls,
        int maxConnections,
        long maxInFlightBodyBytes,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration idleTimeout) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("0.0.0.0", 8443);
    public static final long DEFAULT_MAX_BODY_BYTES = 4L * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);

    public WebhookConfig {
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxBodyBytes must be between 1 and " + Integer.MAX_VALUE);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1");
        }
        if (maxInFlightBodyBytes < maxBodyBytes) {
            throw new IllegalArgumentException("maxInFlightBodyBytes must be at least maxBodyBytes");
        }
    }

    /**
     * The default {@code maxInFlightBodyBytes}: an eighth of the heap, so that bodies (held twice at most,
     * see {@link ClientLimits}) never take more than a quarter of it, and at least one body of the largest
     * size.
     */
    static long defaultInFlightBodyBytes(long maxHeapBytes, long maxBodyBytes) {
        return Math.max(maxHeapBytes / 8, maxBodyBytes);
    }

    /**
     * Allow-listed label keys.
     *
     * @param ingress Kubernetes label keys of Ingresses copied into {@code netcost_ingress_labels}
     * @param service Kubernetes label keys of Services copied into {@code netcost_service_labels}
     */
    public record LabelsConfig(List<String> ingress, List<String> service) {
        public LabelsConfig {
            ingress = List.copyOf(ingress);
            service = List.copyOf(service);
        }
    }

    /**
     * Kubernetes Lease leader election among the webhook replicas.
     *
     * @param enabled       elect a leader (with {@code kubernetes.enabled: false} there is none: it always writes)
     * @param namespace     the Lease's namespace; empty: the client's namespace (the pod's own)
     * @param name          the Lease's name
     * @param identity      this replica's identity; empty: host name plus a random suffix
     * @param leaseDuration how long a lease holds without renewal
     * @param renewDeadline how long the leader keeps trying to renew before it gives up
     * @param retryPeriod   time between attempts
     */
    public record LeaderElectionConfig(boolean enabled, String namespace, String name, String identity,
                                       Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final LeaderElectionConfig DEFAULT = new LeaderElectionConfig(true, "", "netcost-webhook", "",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    /** Every key at its default (certificate files unset), for this JVM's heap. */
    public static WebhookConfig defaults() {
        return defaults(Runtime.getRuntime().maxMemory());
    }

    // VisibleForTesting
    static WebhookConfig defaults(long maxHeapBytes) {
        return new WebhookConfig(DEFAULT_LISTEN, null, null, Duration.ofSeconds(10), DEFAULT_MAX_BODY_BYTES, 2,
                Duration.ofMinutes(10), new LabelsConfig(List.of(), List.of()), LeaderElectionConfig.DEFAULT,
                SelfManagedTlsConfig.DEFAULT, DEFAULT_MAX_CONNECTIONS,
                defaultInFlightBodyBytes(maxHeapBytes, DEFAULT_MAX_BODY_BYTES), DEFAULT_HEADER_TIMEOUT,
                DEFAULT_BODY_TIMEOUT, DEFAULT_IDLE_TIMEOUT);
    }

    static WebhookConfig parse(ConfigNode n) {
        return parse(n, Runtime.getRuntime().maxMemory());
    }

    // VisibleForTesting
    static WebhookConfig parse(ConfigNode n, long maxHeapBytes) {
        WebhookConfig d = defaults(maxHeapBytes);
        HostPort listen = n.hostPort("listen", d.listen());
        Path cert = n.path("tlsCertFile", null);
        Path key = n.path("tlsKeyFile", null);
        if ((cert == null) != (key == null)) {
            n.error(cert == null ? "tlsCertFile" : "tlsKeyFile", "tlsCertFile and tlsKeyFile must be given together");
        }
        Duration reload = n.duration("tlsReloadInterval", d.tlsReloadInterval(), Duration.ofMillis(100));
        long maxBody = n.bytes("maxBodyBytes", d.maxBodyBytes(), 1024);
        if (maxBody > Integer.MAX_VALUE) {
            n.error("maxBodyBytes", "must be at most 2GiB - 1");
            maxBody = d.maxBodyBytes();
        }
        int workers = n.integer("workerThreads", d.workerThreads(), 1, 64);
        int maxConnections = n.integer("maxConnections", d.maxConnections(), 1, 65_536);
        long inFlight = n.bytes("maxInFlightBodyBytes", defaultInFlightBodyBytes(maxHeapBytes, maxBody), 1024);
        if (inFlight < maxBody) {
            n.error("maxInFlightBodyBytes", "must be at least maxBodyBytes (" + maxBody + " bytes), or a body of the"
                    + " largest accepted size could never be read (possible fixes: raise it, or lower maxBodyBytes)");
            inFlight = maxBody;
        }
        Duration headerTimeout = n.duration("headerTimeout", d.headerTimeout(), Duration.ofMillis(100));
        Duration bodyTimeout = n.duration("bodyTimeout", d.bodyTimeout(), Duration.ofMillis(100));
        Duration idleTimeout = n.duration("idleTimeout", d.idleTimeout(), Duration.ofSeconds(1));
        Duration resync = n.duration("resync", d.resync(), Duration.ofSeconds(1));

        ConfigNode l = n.child("labels");
        LabelsConfig labels = new LabelsConfig(l.labelKeys("ingress"), l.labelKeys("service"));
        l.finish();

        LeaderElectionConfig le = LeaderElectionConfig.DEFAULT;
        ConfigNode e = n.child("leaderElection");
        LeaderElectionConfig election = new LeaderElectionConfig(
                e.bool("enabled", le.enabled()),
                e.string("namespace", le.namespace()),
                e.string("name", le.name()),
                e.string("identity", le.identity()),
                e.duration("leaseDuration", le.leaseDuration(), Duration.ofMillis(100)),
                e.duration("renewDeadline", le.renewDeadline(), Duration.ofMillis(100)),
                e.duration("retryPeriod", le.retryPeriod(), Duration.ofMillis(10)));
        if (election.name().isBlank()) {
            e.error("name", "must not be empty");
        }
        if (election.renewDeadline().compareTo(election.leaseDuration()) >= 0) {
            e.error("renewDeadline", "must be shorter than leaseDuration");
        }
        if (election.retryPeriod().compareTo(election.renewDeadline()) >= 0) {
            e.error("retryPeriod", "must be shorter than renewDeadline");
        }
        e.finish();

        SelfManagedTlsConfig self = SelfManagedTlsConfig.parse(n.child("selfManagedTls"));
        if (self.enabled()) {
            // The manager writes the pair; the server reads it from there.
            if (cert != null && !cert.equals(self.certFile())) {
                n.error("tlsCertFile", "must not be set with selfManagedTls.enabled (the webhook writes its certificate"
                        + " to selfManagedTls.certDir/tls.crt); remove it, or turn selfManagedTls off");
            }
            if (key != null && !key.equals(self.keyFile())) {
                n.error("tlsKeyFile", "must not be set with selfManagedTls.enabled (the webhook writes its key to"
                        + " selfManagedTls.certDir/tls.key); remove it, or turn selfManagedTls off");
            }
            cert = self.certFile();
            key = self.keyFile();
        }
        return new WebhookConfig(listen, cert, key, reload, maxBody, workers, resync, labels, election, self,
                maxConnections, inFlight, headerTimeout, bodyTimeout, idleTimeout);
    }
}
