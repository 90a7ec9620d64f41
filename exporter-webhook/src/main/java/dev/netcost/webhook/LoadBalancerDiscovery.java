package dev.netcost.webhook;

import dev.netcost.core.aws.AwsClients;
import dev.netcost.core.aws.AwsCredentialsChain;
import dev.netcost.core.aws.InstanceIdentity;
import dev.netcost.core.aws.InstanceMetadataScraper;
import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.log.ThrottledLogger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * The webhook leader's load-balancer discovery (docs/load-balancers.md, "Discovery on EKS"): every
 * {@code aws.discoveryInterval}, the ALBs and NLBs with ENIs in the VPC ({@link NetworkInterfaceScraper})
 * are narrowed to this cluster's — those whose name the DNS name of a recorded Ingress or Service
 * ({@code status.loadBalancer.ingress[].hostname}) carries — and published with their ENI addresses and
 * zones in one ConfigMap ({@link LoadBalancerPublisher}) that every node agent watches.
 *
 * <p>Each load balancer goes with its targets ({@link #targets}): the pods of the Services the objects
 * naming it send to, so that nodes count it for those pods only; unknown (every pod) whenever that
 * is not provable.
 *
 * <p>The hostname join needs no IAM action beyond {@code ec2:DescribeNetworkInterfaces}; the
 * controller's {@code elbv2.k8s.aws/cluster} tag is not read (ENIs do not carry it, and reading it from
 * the load balancer would need {@code elasticloadbalancing:DescribeTags}).
 *
 * <p>Nothing is published before the first list of Ingresses and Services (an empty list would wipe
 * the nodes' address book); a failed round publishes nothing, keeps the last good list for
 * {@code netcost_load_balancer_info}, logs once (throttled) and counts. Meters:
 * {@code netcost_agent_webhook_discoveries_total{result}} and
 * {@code netcost_agent_webhook_discovery_staleness_seconds} (on the leader: seconds since the last good
 * round, growing from start-up until the first; 0 on other replicas).
 */
final class LoadBalancerDiscovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LoadBalancerDiscovery.class);

    private final AwsConfig aws;
    private final Map<String, String> env;
    private final RecordedObjects objects;
    private final LoadBalancerPublisher publisher;
    private final BooleanSupplier listed;
    private final BooleanSupplier leader;
    private final Clock clock;
    private final ThrottledLogger throttled;
    private final MeterRegistry meters;
    private final SdkHttpClient http;
    private final long startMillis;
    private volatile long okMillis = -1;
    private volatile Map<String, LoadBalancer> ofCluster = Map.of();
    private Ec2Client ec2;
    private AwsCredentialsChain credentials;
    private String vpcId;

    /**
     * @param listed true once Ingresses and Services have been listed at least once
     * @param leader whether this replica leads (the staleness gauge is 0 on the others)
     */
    LoadBalancerDiscovery(AwsConfig aws, Map<String, String> env, RecordedObjects objects, LoadBalancerPublisher publisher,
                          BooleanSupplier listed, BooleanSupplier leader, MeterRegistry meters, Clock clock) {
        this.aws = aws;
        this.env = Map.copyOf(env);
        this.objects = objects;
        this.publisher = publisher;
        this.listed = listed;
        this.leader = leader;
        this.meters = meters;
        this.clock = clock;
        this.throttled = new ThrottledLogger(log, clock, Duration.ofMinutes(30));
        this.http = AwsClients.httpClient(aws);
        this.startMillis = clock.millis();
        Gauge.builder("netcost.agent.webhook.discovery.staleness", this, LoadBalancerDiscovery::stalenessSeconds)
                .description("On the leader: seconds since load balancers were last discovered and published;"
                        + " growing from start-up until the first good round and while EC2 or the API fails. 0 on"
                        + " other replicas")
                .baseUnit("seconds").register(meters);
    }

    /** The last good list of this cluster's load balancers, by lower-case name. */
    Map<String, LoadBalancer> ofCluster() {
        return ofCluster;
    }

    double stalenessSeconds() {
        if (!leader.getAsBoolean()) {
            return 0;
        }
        long ok = okMillis;
        return Math.max(0, clock.millis() - (ok < 0 ? startMillis : ok)) / 1000.0;
    }

    /** One round; true when the list was discovered and published. Never throws. */
    synchronized boolean discover() {
        if (!listed.getAsBoolean()) {
            log.debug("load-balancer discovery waits for the first list of Ingresses and Services");
            return false;
        }
        try {
            Ec2Client client = ec2();
            long start = System.nanoTime();
            Map<String, LoadBalancer> all = new NetworkInterfaceScraper(client).loadBalancers(vpcId);
            Map<String, LoadBalancer.Targets> wanted = targets(objects);
            Map<String, LoadBalancer> mine = new LinkedHashMap<>();
            all.forEach((name, lb) -> {
                LoadBalancer.Targets t = wanted.get(name.toLowerCase(Locale.ROOT));
                if (t != null) {
                    mine.put(name.toLowerCase(Locale.ROOT), lb.withTargets(t));
                }
            });
            boolean changed = publisher.publish(new ArrayList<>(mine.values()), vpcId);
            ofCluster = Map.copyOf(mine);
            okMillis = clock.millis();
            count("success");
            if (changed) {
                log.info("discovered {} of this cluster's load balancers ({} in {}) in {} ms, published in {}",
                        mine.size(), all.size(), vpcId.isEmpty() ? "every VPC" : vpcId,
                        (System.nanoTime() - start) / 1_000_000, publisher.target());
            }
            return true;
        } catch (SdkException | IllegalArgumentException e) {
            count("failure");
            throttled.warn("ec2", "cannot discover load balancers: {}; nodes keep the last published list (possible"
                    + " fixes: grant ec2:DescribeNetworkInterfaces to the webhook's IAM role, see docs/rbac.md;"
                    + " check aws.region and aws.ec2Endpoint)", e.toString());
        } catch (RuntimeException e) { // the Kubernetes client's exceptions
            count("failure");
            throttled.warn("publish", "cannot publish load balancers to ConfigMap {}: {} (possible fixes: the webhook"
                    + " needs create, get and update on it, see docs/rbac.md)", publisher.target(), e.toString());
        }
        return false;
    }

    /**
     * This cluster's load balancers (lower-case names: those the recorded Ingresses' and Services'
     * hostnames carry, {@link #nameFromHostname}) with their targets,
     * joined on what named them: every backend Service of an Ingress whose hostname names the load
     * balancer (an ALB group's Ingresses all carry it; a backend is in the Ingress's namespace), and a
     * Service whose hostname names it. Each Service adds {@code (namespace, spec.selector)}. The
     * targets are {@link LoadBalancer.Targets#UNKNOWN} (every pod) as soon as one of them is not
     * provable: a backend that is not a recorded Service, a Service without a selector (endpoints
     * managed by hand), an ALB action ({@code use-annotation}) or a {@code resource} backend.
     */
    static Map<String, LoadBalancer.Targets> targets(RecordedObjects objects) {
        Map<String, List<LoadBalancer.Target>> known = new LinkedHashMap<>();
        Set<String> unknown = new HashSet<>();
        for (ObjectStore.Recorded<IngressState> r : objects.ingresses.all()) {
            IngressState ing = r.state();
            List<LoadBalancer.Target> mine = new ArrayList<>();
            boolean provable = !ing.otherBackends();
            for (IngressState.Backend b : ing.backends()) {
                ServiceState svc = objects.services.get(new ObjectKey(ing.key().namespace(), b.service()));
                if (b.port().equals("use-annotation") || svc == null || svc.selector().isEmpty()) {
                    provable = false;
                    break;
                }
                mine.add(new LoadBalancer.Target(ing.key().namespace(), svc.selector()));
            }
            join(ing.hostnames(), provable ? mine : null, known, unknown);
        }
        for (ObjectStore.Recorded<ServiceState> r : objects.services.all()) {
            ServiceState svc = r.state();
            join(svc.hostnames(), svc.selector().isEmpty() ? null
                    : List.of(new LoadBalancer.Target(svc.key().namespace(), svc.selector())), known, unknown);
        }
        Map<String, LoadBalancer.Targets> out = new LinkedHashMap<>();
        known.forEach((name, targets) -> out.put(name, unknown.contains(name) ? LoadBalancer.Targets.UNKNOWN
                : LoadBalancer.Targets.of(targets)));
        return out;
    }

    /** Adds {@code targets} (null: not provable) to the load balancers the hostnames name. */
    private static void join(List<String> hostnames, List<LoadBalancer.Target> targets,
                             Map<String, List<LoadBalancer.Target>> known, Set<String> unknown) {
        for (String h : hostnames) {
            String name = nameFromHostname(h);
            if (name == null) {
                continue;
            }
            List<LoadBalancer.Target> list = known.computeIfAbsent(name, n -> new ArrayList<>());
            if (targets == null) {
                unknown.add(name);
            } else {
                list.addAll(targets);
            }
        }
    }

    /**
     * The load-balancer name in an ELB DNS name, lower case, or null for any other host name:
     * {@code [internal-]<name>-<suffix>.<region>.elb.amazonaws.com} (ALB) and
     * {@code <name>-<suffix>.elb.<region>.amazonaws.com} (NLB), also under {@code amazonaws.com.cn}.
     * Names cannot start with {@code internal-} nor contain dots, so the first label decides.
     */
    static String nameFromHostname(String hostname) {
        String h = hostname.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!(h.endsWith(".amazonaws.com") || h.endsWith(".amazonaws.com.cn")) || !h.contains(".elb.")) {
            return null;
        }
        int dot = h.indexOf('.');
        String first = h.substring(0, dot);
        if (first.startsWith("internal-")) {
            first = first.substring("internal-".length());
        }
        int dash = first.lastIndexOf('-');
        return dash <= 0 ? null : first.substring(0, dash);
    }

    private void count(String result) {
        Counter.builder("netcost.agent.webhook.discoveries").tag("result", result)
                .description("Load-balancer discovery rounds (DescribeNetworkInterfaces + ConfigMap), by result")
                .register(meters).increment();
    }

    /** The EC2 client, after settling region and VPC once: aws.*, then the environment, then IMDS. */
    private Ec2Client ec2() {
        if (ec2 != null) {
            return ec2;
        }
        String region = aws.region();
        String vpc = aws.vpcId();
        if (region.isEmpty()) {
            region = env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", ""));
        }
        if (region.isEmpty() || vpc.isEmpty()) {
            try {
                InstanceIdentity id = new InstanceMetadataScraper(aws.imdsEndpoint(), http, clock).scrape();
                region = region.isEmpty() ? id.region() : region;
                vpc = vpc.isEmpty() ? id.vpcId() : vpc;
            } catch (IOException | RuntimeException e) {
                log.info("IMDS at {} gave no region/VPC ({}); set aws.region and aws.vpcId (pods without"
                        + " hostNetwork need an IMDS hop limit of 2)", aws.imdsEndpoint(), e.toString());
            }
        }
        if (region.isEmpty()) {
            throw new IllegalArgumentException("no region: set aws.region (AWS_REGION and IMDS gave none)");
        }
        vpcId = vpc;
        if (vpc.isEmpty()) {
            log.warn("no VPC id (aws.vpcId, IMDS): searching load-balancer ENIs in every VPC of {}", region);
        }
        credentials = new AwsCredentialsChain(aws, region, env, http);
        log.info("discovering load balancers every {} in {} {} through {}; credentials: {}",
                dev.netcost.core.config.Durations.format(aws.discoveryInterval()), region, vpc,
                aws.ec2Endpoint() == null ? "the regional EC2 endpoint" : aws.ec2Endpoint(), credentials.description());
        ec2 = AwsClients.ec2(aws, region, credentials, http);
        return ec2;
    }

    @Override
    public synchronized void close() {
        if (ec2 != null) {
            ec2.close();
        }
        if (credentials != null) {
            credentials.close();
        }
        http.close();
    }
}
