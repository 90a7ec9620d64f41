package dev.netcost.webhook;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Lease leader election among the webhook replicas (fabric8's LeaderElector), so that only
 * one of them writes series. Every replica answers admissions and keeps the full state, so a new leader
 * writes complete series from its first cycle. A replica that loses the lease stands for election
 * again; {@link #close()} releases the lease so that another replica takes over at once.
 */
final class LeaderElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final WebhookConfig.LeaderElectionConfig config;
    private final String namespace;
    private final String identity;
    private final Runnable onStart;
    private volatile boolean leader;
    private volatile boolean closed;
    private volatile CompletableFuture<?> running;

    LeaderElection(KubernetesClient client, WebhookConfig.LeaderElectionConfig config, String namespace,
                   String identity, Runnable onStart) {
        this.client = client;
        this.config = config;
        this.namespace = namespace;
        this.identity = identity;
        this.onStart = onStart;
    }

    boolean isLeader() {
        return leader;
    }

    synchronized void start() {
        if (closed) {
            return;
        }
        log.info("standing for election as '{}' on Lease {}/{}", identity, namespace, config.name());
        CompletableFuture<?> f = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName("netcost-webhook")
                .withLock(new LeaseLock(namespace, config.name(), identity))
                .withLeaseDuration(config.leaseDuration())
                .withRenewDeadline(config.renewDeadline())
                .withRetryPeriod(config.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
                        id -> log.info("webhook leader is now '{}'", id)))
                .build()).build().start();
        running = f;
        // fabric8 ends the election when renewal fails; stand again unless closing.
        f.whenComplete((ok, e) -> {
            leader = false;
            if (!closed) {
                if (e != null) {
                    log.warn("leader election on Lease {}/{} ended: {}; standing again", namespace, config.name(),
                            e.toString());
                }
                CompletableFuture.delayedExecutor(config.retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                        .execute(this::start);
            }
        });
    }

    private void started() {
        leader = true;
        log.info("'{}' is the webhook leader: writing series", identity);
        onStart.run();
    }

    private void stopped() {
        leader = false;
        log.info("'{}' is no longer the webhook leader: not writing series", identity);
    }

    @Override
    public synchronized void close() {
        closed = true;
        leader = false;
        CompletableFuture<?> f = running;
        if (f != null) {
            f.cancel(true); // releases the lease (releaseOnCancel)
        }
    }
}
