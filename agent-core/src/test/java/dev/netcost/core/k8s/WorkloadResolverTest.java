package dev.netcost.core.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.k8s.WorkloadResolver.Workload;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadResolverTest {
    private static final Instant NOW = Instant.parse("2026-11-26T05:00:00Z");
    /** 2026-11-26T04:00Z in minutes since the epoch: a CronJob's latest scheduled run. */
    private static final long RECENT_MINUTE = Instant.parse("2026-11-26T04:00:00Z").getEpochSecond() / 60;

    @ParameterizedTest(name = "{0}/{1} hash={2} -> {3} {4}")
    @CsvSource(nullValues = "-", value = {
            // kind,        owner name,                   pod-template-hash, workload,          workload kind
            "ReplicaSet,    checkout-7d9f8b6c5d,          7d9f8b6c5d,        checkout,          Deployment",
            "ReplicaSet,    my-app-v2-5c6f7d8e9f,         5c6f7d8e9f,        my-app-v2,         Deployment",
            "ReplicaSet,    handmade-rs,                  -,                 handmade-rs,       ReplicaSet",
            "ReplicaSet,    handmade-rs,                  abc123,            handmade-rs,       ReplicaSet",
            "ReplicaSet,    -abc123,                      abc123,            -abc123,           ReplicaSet",
            "StatefulSet,   postgres,                     -,                 postgres,          StatefulSet",
            "DaemonSet,     netcost-agent,                -,                 netcost-agent,     DaemonSet",
            "Job,           db-migrate,                   -,                 db-migrate,        Job",
            "Job,           backup-RECENT,                -,                 backup,            CronJob",
            "Job,           nightly-report-RECENT,        -,                 nightly-report,    CronJob",
            "Job,           release-20240101,             -,                 release-20240101,  Job",     // a date, not minutes
            "Job,           batch-99999999,               -,                 batch-99999999,    Job",     // in the future
            "Job,           run-1234,                     -,                 run-1234,          Job",
            "Rollout,       canary,                       -,                 canary,            Rollout", // other controllers as they are
            "-,             -,                            -,                 web-0,             Pod",
    })
    void ownerRules(String kind, String owner, String hash, String workload, String workloadKind) {
        String ownerName = owner == null ? null : owner.replace("RECENT", Long.toString(RECENT_MINUTE));
        Map<String, String> labels = hash == null ? Map.of("app", "x") : Map.of(WorkloadResolver.POD_TEMPLATE_HASH, hash);

        Workload w = WorkloadResolver.resolve("web-0", labels, kind, ownerName, "node-a", NOW);

        assertThat(w).isEqualTo(new Workload(workload, workloadKind));
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource({
            "kube-proxy-ip-10-0-1-2.ec2.internal, ip-10-0-1-2.ec2.internal, kube-proxy",
            "etcd-node-a,                         node-a,                   etcd",
            "odd-name,                            node-a,                   odd-name",
    })
    void staticPods_areNamedWithoutTheirNodeSuffix(String pod, String node, String workload) {
        assertThat(WorkloadResolver.resolve(pod, Map.of(), "Node", node, node, NOW))
                .isEqualTo(new Workload(workload, "Pod"));
    }
}
