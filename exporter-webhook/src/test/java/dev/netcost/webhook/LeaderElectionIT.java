package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Sample;
import dev.netcost.core.pipeline.Pipeline;
import dev.netcost.core.pipeline.Sink;
import dev.netcost.core.testing.PromQueryClient;
import dev.netcost.core.testing.TestCertificates;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two webhook replicas on one (mock, CRUD) API: one writes series, the other takes over when it stops. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionIT {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path tmp;

    private final List<Replica> replicas = new ArrayList<>();

    /** One replica: its runtime, its pipeline, and a sink counting the series it wrote. */
    private final class Replica implements AutoCloseable {
        final String identity;
        final KubernetesClient api = server.createClient();
        final AtomicInteger ingressSeriesWritten = new AtomicInteger();
        final WebhookRuntime runtime;
        final Pipeline pipeline;
        final HttpsTestClient https;

        Replica(String identity, TestCertificates certs) throws Exception {
            this.identity = identity;
            TestWebhook tw = new TestWebhook("""
                    webhook:
                      listen: 127.0.0.1:0
                      tlsCertFile: %s
                      tlsKeyFile: %s
                      leaderElection:
                        namespace: netcost
                        name: netcost-webhook
                        identity: %s
                        leaseDuration: 3s
                        renewDeadline: 2s
                        retryPeriod: 200ms
                    """.formatted(certs.serverCert(), certs.serverKey(), identity));
            runtime = tw.runtime(api);
            pipeline = Pipeline.builder().meters(tw.meters).exporter(runtime.exporter()).sink(new Sink() {
                @Override
                public String name() {
                    return "count";
                }

                @Override
                public void write(List<Sample> samples) {
                    for (Sample s : samples) {
                        if (s.labels().metricName().equals(WebhookExporter.INGRESS_INFO) && !s.isStaleMarker()) {
                            ingressSeriesWritten.incrementAndGet();
                        }
                    }
                }

                @Override
                public boolean flush(Duration timeout) {
                    return true;
                }

                @Override
                public void close() {
                }
            }).build();
            runtime.start(pipeline::runOnce, Duration.ofMillis(200));
            https = new HttpsTestClient(certs.caCert(), runtime.port());
        }

        @Override
        public void close() {
            runtime.close();
            pipeline.close();
            api.close();
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(Replica::close);
    }

    private String holder() {
        Lease l = client.leases().inNamespace("netcost").withName("netcost-webhook").get();
        return l == null ? null : l.getSpec().getHolderIdentity();
    }

    @Test
    void oneReplicaWrites_andTheOtherTakesOverWhenItStops() throws Exception {
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("certs")));
        Replica a = new Replica("replica-a", certs);
        replicas.add(a);
        Replica b = new Replica("replica-b", certs);
        replicas.add(b);
        // Both replicas answer admissions and record; the API server may call either.
        assertThat(a.https.post("/validate", Fixtures.bytes("ingress-2048-create-v1.json")).statusCode()).isEqualTo(200);
        assertThat(b.https.post("/validate", Fixtures.bytes("ingress-2048-create-v1.json")).statusCode()).isEqualTo(200);

        String first = PromQueryClient.await("a leader", this::holder, h -> h != null, Duration.ofSeconds(15));
        Replica leader = first.equals("replica-a") ? a : b;
        Replica follower = leader == a ? b : a;
        PromQueryClient.await("the leader writes", leader.ingressSeriesWritten::get, n -> n >= 5, Duration.ofSeconds(15));
        assertThat(leader.runtime.isLeader()).isTrue();
        assertThat(follower.runtime.isLeader()).isFalse();
        assertThat(follower.ingressSeriesWritten.get()).as("the follower writes nothing").isZero();

        leader.close();
        replicas.remove(leader);

        PromQueryClient.await("the follower holds the lease", this::holder, follower.identity::equals,
                Duration.ofSeconds(15));
        PromQueryClient.await("the follower writes", follower.ingressSeriesWritten::get, n -> n >= 3,
                Duration.ofSeconds(15));
        assertThat(follower.runtime.isLeader()).isTrue();
    }
}
