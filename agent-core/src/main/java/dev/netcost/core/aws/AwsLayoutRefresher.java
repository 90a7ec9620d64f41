package dev.netcost.core.aws;

import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.NetworkLayout;
import dev.netcost.core.k8s.NetworkLayoutSource;
import dev.netcost.core.k8s.NodeInfo;
import dev.netcost.core.log.ThrottledLogger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The node's zero-config network layout on EKS, refreshed in the background: IMDS (region, zone, zone
 * id, instance id and type, the VPC's CIDR blocks, this node's subnet) and one {@code DescribeSubnets}
 * for the VPC (every subnet's CIDRs and zone) every {@code aws.subnetRefresh}.
 *
 * <p>Never blocks start-up: {@link #current()} is {@link NetworkLayout#EMPTY} until the first answer and
 * then always the last good one. A failed round keeps it, logs once per problem (throttled), counts the
 * failure and retries sooner (30 s, doubling up to {@code subnetRefresh}); when IMDS answers and EC2 does
 * not, IMDS's part is used with the last good subnets. Meters, on the agent's registry:
 * {@code netcost_agent_aws_staleness_seconds{source="imds"|"ec2"}} (seconds since that source last
 * answered; growing from start-up until it does) and {@code netcost_agent_aws_refreshes_total{source,result}}.
 */
public final class AwsLayoutRefresher implements NetworkLayoutSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AwsLayoutRefresher.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);

    private final AwsConfig config;
    private final Map<String, String> env;
    private final Clock clock;
    private final ThrottledLogger throttled;
    private final SdkHttpClient http;
    private final InstanceMetadataScraper imds;
    private final ScheduledExecutorService executor;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final long startMillis;
    private final MeterRegistry meters;
    private volatile NetworkLayout current = NetworkLayout.EMPTY;
    private volatile long imdsOkMillis = -1;
    private volatile long ec2OkMillis = -1;
    private Map<String, List<Cidr>> lastSubnets = Map.of();
    private Ec2Client ec2;
    private AwsCredentialsChain credentials;
    private Duration retry = FIRST_RETRY;
    private volatile boolean closed;

    /**
     * @param env    the process environment, for the credential chain and {@code AWS_REGION}
     * @param meters where the staleness gauges and refresh counters go
     */
    public AwsLayoutRefresher(AwsConfig config, Map<String, String> env, MeterRegistry meters, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.env = Map.copyOf(env);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.throttled = new ThrottledLogger(LOG, clock, Duration.ofMinutes(30));
        this.http = AwsClients.httpClient(config);
        this.imds = new InstanceMetadataScraper(config.imdsEndpoint(), http, clock);
        this.startMillis = clock.millis();
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "netcost-aws");
            t.setDaemon(true);
            return t;
        });
        for (String source : List.of("imds", "ec2")) {
            Gauge.builder("netcost.agent.aws.staleness", this, s -> s.staleness(source)).tag("source", source)
                    .description("Seconds since this AWS source last answered (IMDS: instance facts and VPC CIDRs;"
                            + " ec2: DescribeSubnets); growing from start-up until it does, and while it fails")
                    .baseUnit("seconds").register(meters);
        }
    }

    /** Starts the background rounds (the first at once) and returns. */
    public void start() {
        LOG.info("learning this node's VPC layout from IMDS at {} and EC2 DescribeSubnets every {}",
                config.imdsEndpoint(), dev.netcost.core.config.Durations.format(config.subnetRefresh()));
        executor.execute(this::roundAndReschedule);
    }

    @Override
    public NetworkLayout current() {
        return current;
    }

    @Override
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private double staleness(String source) {
        long ok = "imds".equals(source) ? imdsOkMillis : ec2OkMillis;
        return Math.max(0, clock.millis() - (ok < 0 ? startMillis : ok)) / 1000.0;
    }

    private void roundAndReschedule() {
        if (closed) {
            return;
        }
        boolean ok = false;
        try {
            ok = round();
        } catch (VirtualMachineError e) {
            // Not swallowed by the executor: the process's policy for them (the agent exits) applies.
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        } catch (RuntimeException | Error e) {
            // Escaping, it would end this schedule without a word: no more rounds, a growing staleness.
            LOG.error("BUG: a round of learning this node's VPC layout failed; retrying as after any failure", e);
        }
        Duration next = config.subnetRefresh();
        if (ok) {
            retry = FIRST_RETRY;
        } else {
            next = retry.compareTo(next) < 0 ? retry : next;
            retry = retry.multipliedBy(2);
        }
        if (!closed) {
            try {
                executor.schedule(this::roundAndReschedule, next.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    /** One refresh: IMDS, then DescribeSubnets; publishes what it learnt. True when both answered. */
    // VisibleForTesting
    synchronized boolean round() {
        InstanceIdentity id;
        try {
            id = imds.scrape();
            imdsOkMillis = clock.millis();
            count("imds", "success");
        } catch (IOException | RuntimeException e) {
            count("imds", "failure");
            throttled.warn("imds", "cannot read instance metadata from {}: {}; keeping the last known layout"
                    + " (possible fixes: check aws.imdsEndpoint, that IMDSv2 is enabled, and the hop limit: pods"
                    + " without hostNetwork need an IMDS hop limit of 2)", config.imdsEndpoint(), e.toString());
            return false;
        }
        boolean ec2Ok = false;
        if (id.vpcId().isEmpty()) {
            throttled.warn("no-vpc", "IMDS gave no vpc-id for this instance's interface: subnets are not looked up");
        } else {
            try {
                lastSubnets = new SubnetScraper(ec2(region(id))).subnetsByZone(id.vpcId());
                ec2OkMillis = clock.millis();
                ec2Ok = true;
                count("ec2", "success");
            } catch (SdkException | IllegalArgumentException e) {
                count("ec2", "failure");
                throttled.warn("ec2", "cannot describe the subnets of {}: {}; using this node's own subnet and the"
                        + " last known ones (possible fixes: grant ec2:DescribeSubnets to the node agent's IAM role,"
                        + " see docs/rbac.md; check aws.ec2Endpoint and aws.region)", id.vpcId(), e.toString());
            }
        }
        publish(layout(id, lastSubnets));
        return ec2Ok;
    }

    private String region(InstanceIdentity id) {
        if (!config.region().isEmpty()) {
            return config.region();
        }
        return id.region().isEmpty() ? env.getOrDefault("AWS_REGION", "") : id.region();
    }

    /** The learnt layout: the subnets, plus this node's own subnet in its zone if EC2 has not said yet. */
    static NetworkLayout layout(InstanceIdentity id, Map<String, List<Cidr>> subnets) {
        Map<String, List<Cidr>> zones = new LinkedHashMap<>();
        subnets.forEach((z, c) -> zones.put(z, new ArrayList<>(c)));
        if (!id.zone().isEmpty()) {
            List<Cidr> own = zones.computeIfAbsent(id.zone(), z -> new ArrayList<>());
            for (Cidr c : id.subnetCidrs()) {
                if (!own.contains(c)) {
                    own.add(c);
                }
            }
        }
        NodeInfo node = new NodeInfo("", id.zone(), id.zoneId(), id.region(), id.instanceId(), id.instanceType());
        return new NetworkLayout(id.vpcCidrs(), zones, node);
    }

    private void publish(NetworkLayout next) {
        if (next.equals(current)) {
            return;
        }
        boolean first = current == NetworkLayout.EMPTY;
        current = next;
        int subnets = next.zones().values().stream().mapToInt(List::size).sum();
        LOG.info("{} VPC layout: {} VPC CIDRs, {} subnet CIDRs in zones {}; this node is {} in {} ({})",
                first ? "learnt the" : "updated the", next.vpc().size(), subnets, next.zones().keySet(),
                next.node().instanceId(), next.node().zone(), next.node().zoneId());
        for (Runnable l : listeners) {
            try {
                l.run();
            } catch (RuntimeException e) {
                LOG.error("BUG: a network layout listener failed", e);
            }
        }
    }

    private void count(String source, String result) {
        Counter.builder("netcost.agent.aws.refreshes").tag("source", source).tag("result", result)
                .description("Rounds of asking an AWS source (imds, ec2) for this node's network layout")
                .register(meters).increment();
    }

    private Ec2Client ec2(String region) {
        if (region.isEmpty()) {
            throw new IllegalArgumentException("no region: set aws.region (IMDS and AWS_REGION gave none)");
        }
        if (ec2 == null) {
            ec2 = newEc2(region);
        }
        return ec2;
    }

    private Ec2Client newEc2(String region) {
        credentials = new AwsCredentialsChain(config, region, env, http);
        LOG.info("EC2 calls go to {} in {}; credentials: {}", config.ec2Endpoint() == null ? "the regional endpoint"
                : config.ec2Endpoint(), region, credentials.description());
        return AwsClients.ec2(config, region, credentials, http);
    }

    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        synchronized (this) {
            if (ec2 != null) {
                ec2.close();
            }
            if (credentials != null) {
                credentials.close();
            }
            http.close();
        }
    }
}
