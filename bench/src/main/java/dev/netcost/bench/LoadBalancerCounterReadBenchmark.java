package dev.netcost.bench;

import dev.netcost.core.config.ClassificationConfig;
import dev.netcost.core.k8s.ClassificationSets;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.k8s.PodInfo;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.iptables.IptablesBenchSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One exporter read ({@code read}: counters, per-pod sums, samples) and the reader alone
 * ({@code readOnly}) for 250 pods with every class in use (2,000 class counters) plus 10 load-balancer
 * ENI addresses seen from zone-a: {@code 3albs+nlb} is three ALBs with an ENI in each of three zones and
 * one single-zone NLB (per pod: 3 x (2 zone classes x 2 directions + connections) + 3 = 18 counters,
 * 4,500 in all); {@code 10lbs} ten single-address load balancers, the most counters 10 addresses
 * can make (30 per pod, 7,500). {@code targets}: {@code every-pod} is the worst case, every load
 * balancer's targets unknown so every pod has its counters; {@code targeted} gives each load balancer
 * the pods of its own namespaces (the pods are in 17 namespaces, {@code team-0} to {@code team-16}):
 * every pod is behind one load balancer and the 14 pods of {@code team-16} behind two, plus the two
 * {@code load_balancer} class counters every pod then has ({@code 10lbs}: 3,292 counters in all;
 * {@code 3albs+nlb}: 3,792). {@code sockopt} reads the iptables-legacy layout, {@code netlink} the
 * nft backend's table, {@code legacy-save} is the save program for comparison. Needs root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LoadBalancerCounterReadBenchmark extends CounterReadBenchmark {
    @Param({"3albs+nlb", "10lbs"})
    public String loadBalancers;

    @Param({"every-pod", "targeted"})
    public String targets;

    @Param({"sockopt", "netlink", "legacy-save"})
    public String reader;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("lb");
        support = new IptablesBenchSupport(ns.path());
        List<PodInfo> pods = IptablesBenchNamespace.pods(IptablesBenchNamespace.PODS, 0);
        ClassificationSets sets = IptablesBenchNamespace.sets(4);
        List<LoadBalancer> lbs = loadBalancers(loadBalancers, targets.equals("targeted"));
        metadata = new StaticClusterMetadata("node-1", "zone-a", pods, ClassificationConfig.DEFAULT, lbs);
        support.reconcile(family(reader), pods, sets, lbs, "zone-a");
        int rules = support.countingRules(pods, sets, lbs, "zone-a");
        boolean ten = loadBalancers.equals("10lbs");
        int expected = targets.equals("targeted")
                ? 2_000 + 250 * ((ten ? 3 : 5) + 2) + 14 * 3 // one load balancer each, team-16 behind a second; the class counters
                : 2_000 + 250 * (ten ? 30 : 18);
        if (rules != expected) {
            throw new IllegalStateException("BUG: " + rules + " counting rules, expected " + expected);
        }
    }

    /**
     * The load balancers of a layout; {@code targeted}: {@code 10lbs} load balancer i targets namespace
     * {@code team-i} and (i &lt; 7) {@code team-(10 + i)}, the last one {@code team-16} too;
     * {@code 3albs+nlb} ALB i targets the namespaces {@code team-j} with j mod 3 = i, the NLB {@code team-16}.
     */
    static List<LoadBalancer> loadBalancers(String layout, boolean targeted) {
        List<LoadBalancer> out = new ArrayList<>();
        if (layout.equals("10lbs")) {
            for (int i = 0; i < 10; i++) {
                List<Integer> teams = i < 7 ? List.of(i, 10 + i) : i == 9 ? List.of(i, 16) : List.of(i);
                out.add(new LoadBalancer("k8s-lb-" + i, LoadBalancerType.APPLICATION, "",
                        List.of(new LoadBalancer.Address("10.40.0." + (10 + i), i % 2 == 0 ? "zone-a" : "zone-b")),
                        targets(targeted, teams)));
            }
            return out;
        }
        for (int i = 0; i < 3; i++) {
            List<LoadBalancer.Address> enis = new ArrayList<>();
            for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
                enis.add(new LoadBalancer.Address("10.40." + i + "." + (zone.charAt(5) - 'a' + 10), zone));
            }
            List<Integer> teams = new ArrayList<>();
            for (int t = i; t < 17; t += 3) {
                teams.add(t);
            }
            out.add(new LoadBalancer("k8s-alb-" + i, LoadBalancerType.APPLICATION, "", enis, targets(targeted, teams)));
        }
        out.add(new LoadBalancer("k8s-nlb", LoadBalancerType.NETWORK, "", List.of(new LoadBalancer.Address("10.40.9.10", "zone-a")),
                targets(targeted, List.of(16))));
        return out;
    }

    private static LoadBalancer.Targets targets(boolean targeted, List<Integer> teams) {
        if (!targeted) {
            return LoadBalancer.Targets.UNKNOWN;
        }
        List<LoadBalancer.Target> out = new ArrayList<>();
        for (int t : teams) {
            out.add(new LoadBalancer.Target("team-" + t, java.util.Map.of()));
        }
        return LoadBalancer.Targets.of(out);
    }

    @Override
    protected String reader() {
        return reader;
    }
}
