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
 * can make (30 per pod, 7,500). {@code sockopt} reads the iptables-legacy layout, {@code netlink} the
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

    @Param({"sockopt", "netlink", "legacy-save"})
    public String reader;

    @Setup
    public void setUp() throws Exception {
        ns = new IptablesBenchNamespace("lb");
        support = new IptablesBenchSupport(ns.path());
        List<PodInfo> pods = IptablesBenchNamespace.pods(IptablesBenchNamespace.PODS, 0);
        ClassificationSets sets = IptablesBenchNamespace.sets(4);
        List<LoadBalancer> lbs = loadBalancers(loadBalancers);
        metadata = new StaticClusterMetadata("node-1", "zone-a", pods, ClassificationConfig.DEFAULT, lbs);
        support.reconcile(family(reader), pods, sets, lbs, "zone-a");
        int rules = support.countingRules(pods, sets, lbs, "zone-a");
        int expected = 2_000 + 250 * (loadBalancers.equals("10lbs") ? 30 : 18);
        if (rules != expected) {
            throw new IllegalStateException("BUG: " + rules + " counting rules, expected " + expected);
        }
    }

    static List<LoadBalancer> loadBalancers(String layout) {
        List<LoadBalancer> out = new ArrayList<>();
        if (layout.equals("10lbs")) {
            for (int i = 0; i < 10; i++) {
                out.add(new LoadBalancer("k8s-lb-" + i, LoadBalancerType.APPLICATION, "",
                        List.of(new LoadBalancer.Address("10.40.0." + (10 + i), i % 2 == 0 ? "zone-a" : "zone-b"))));
            }
            return out;
        }
        for (int i = 0; i < 3; i++) {
            List<LoadBalancer.Address> enis = new ArrayList<>();
            for (String zone : List.of("zone-a", "zone-b", "zone-c")) {
                enis.add(new LoadBalancer.Address("10.40." + i + "." + (zone.charAt(5) - 'a' + 10), zone));
            }
            out.add(new LoadBalancer("k8s-alb-" + i, LoadBalancerType.APPLICATION, "", enis));
        }
        out.add(new LoadBalancer("k8s-nlb", LoadBalancerType.NETWORK, "", List.of(new LoadBalancer.Address("10.40.9.10", "zone-a"))));
        return out;
    }

    @Override
    protected String reader() {
        return reader;
    }
}
