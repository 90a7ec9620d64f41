package dev.netcost.core.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.NodeInfo;
import dev.netcost.core.k8s.StaticClusterMetadata;
import dev.netcost.core.k8s.TrafficClass;
import dev.netcost.core.testing.Ec2QueryServer;
import dev.netcost.core.testing.ImdsServer;
import dev.netcost.core.testing.ManualClock;
import dev.netcost.core.testing.StsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's zero-config layout through the real SDK (EC2 Query API, SigV4, retries) and IMDSv2,
 * against local servers: never a packet to AWS.
 */
class AwsLayoutRefresherTest {
    private static final Map<String, String> ENV_KEYS = Map.of("AWS_ACCESS_KEY_ID", "AKIANODETESTKEY00001",
            "AWS_SECRET_ACCESS_KEY", "node-test-secret");

    private final ImdsServer imds = new ImdsServer().instance("i-0node", "us-east-2a", "use2-az1", "vpc-0abc1234",
            "10.0.0.0/16", "10.0.0.0/19");
    private final Ec2QueryServer ec2 = new Ec2QueryServer();
    private final StsServer sts = new StsServer();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ManualClock clock = new ManualClock();
    private AwsLayoutRefresher refresher;

    AwsLayoutRefresherTest() {
        ec2.subnets(List.of(
                new Ec2QueryServer.Subnet("subnet-a1", "vpc-0abc1234", "us-east-2a", "10.0.0.0/19", null),
                new Ec2QueryServer.Subnet("subnet-b1", "vpc-0abc1234", "us-east-2b", "10.0.32.0/19",
                        "2600:1f16:abc:de01::/64"),
                new Ec2QueryServer.Subnet("subnet-c1", "vpc-0abc1234", "us-east-2c", "10.0.64.0/19", null),
                new Ec2QueryServer.Subnet("subnet-other", "vpc-0other", "us-east-2c", "172.31.0.0/20", null)));
    }

    private AwsConfig config(Duration timeout) {
        return new AwsConfig(true, "", "", imds.endpoint(), ec2.endpoint(), sts.endpoint(), timeout,
                Duration.ofHours(1), Duration.ofMinutes(2), "lbs", "", "", "", "");
    }

    private AwsLayoutRefresher refresher(AwsConfig config, Map<String, String> env) {
        refresher = new AwsLayoutRefresher(config, env, meters, clock);
        return refresher;
    }

    @AfterEach
    void stop() {
        if (refresher != null) {
            refresher.close();
        }
        imds.close();
        ec2.close();
        sts.close();
    }

    private double staleness(String source) {
        return meters.get("netcost.agent.aws.staleness").tag("source", source).gauge().value();
    }

    @Test
    void learnsEverySubnetOfItsVpc_pageByPage_andFeedsClassification() throws Exception {
        ec2.pageSize(2);
        AwsLayoutRefresher r = refresher(config(Duration.ofSeconds(5)), ENV_KEYS);
        AgentConfig agent = new ConfigLoader(Map.of("NODE_NAME", "node-a"), List.of()).loadString("""
                kubernetes: {enabled: false}
                classification:
                  zones:
                    us-east-2z: [10.0.64.0/20]   # hand-written: wins over the learnt 10.0.64.0/19
                """);
        StaticClusterMetadata metadata = new StaticClusterMetadata(agent, r);
        metadata.start();
        AtomicInteger changes = new AtomicInteger();
        r.onChange(changes::incrementAndGet);
        long generation = metadata.generation();
        assertThat(metadata.classifyIpv4(ip("10.0.40.7"))).as("before AWS answers: the private ranges only")
                .isEqualTo(TrafficClass.IN_VPC);

        assertThat(r.round()).isTrue();

        assertThat(r.current().vpc()).containsExactly(Cidr.parse("10.0.0.0/16"));
        assertThat(r.current().zones()).containsOnlyKeys("us-east-2a", "us-east-2b", "us-east-2c");
        assertThat(r.current().zones().get("us-east-2b")).containsExactly(Cidr.parse("10.0.32.0/19"),
                Cidr.parse("2600:1f16:abc:de01::/64"));
        assertThat(r.current().node()).isEqualTo(new NodeInfo("", "us-east-2a", "use2-az1", "us-east-2", "i-0node",
                "m6i.large"));
        List<Ec2QueryServer.Request> calls = ec2.requests("DescribeSubnets");
        assertThat(calls).as("3 subnets of the VPC in pages of 2").hasSize(2);
        assertThat(calls.get(0).params()).containsEntry("Filter.1.Name", "vpc-id")
                .containsEntry("Filter.1.Value.1", "vpc-0abc1234");
        assertThat(calls.get(0).authorization()).contains("Credential=AKIANODETESTKEY00001/")
                .contains("/us-east-2/ec2/aws4_request");
        assertThat(changes).hasValue(1);

        assertThat(metadata.generation()).isGreaterThan(generation);
        assertThat(metadata.nodeZone()).as("no zone configured: IMDS's").isEqualTo("us-east-2a");
        assertThat(metadata.classifyIpv4(ip("10.0.7.7"))).isEqualTo(TrafficClass.SAME_ZONE);
        assertThat(metadata.classifyIpv4(ip("10.0.40.7"))).isEqualTo(TrafficClass.CROSS_ZONE);
        assertThat(metadata.classifyIpv4(ip("10.0.66.1"))).as("the hand-written zone wins")
                .isEqualTo(TrafficClass.CROSS_ZONE);
        assertThat(metadata.classifyIpv4(ip("10.0.200.1"))).as("in the VPC, in no subnet").isEqualTo(TrafficClass.IN_VPC);
        assertThat(metadata.classifyIpv4(ip("192.168.1.1"))).as("the VPC's CIDRs replace the private ranges")
                .isEqualTo(TrafficClass.INTERNET);
        assertThat(metadata.nodeInfo()).isEqualTo(new NodeInfo("node-a", "us-east-2a", "use2-az1", "us-east-2",
                "i-0node", "m6i.large"));

        assertThat(r.round()).isTrue();
        assertThat(changes).as("an unchanged answer notifies nobody").hasValue(1);
        assertThat(ec2.requests()).allSatisfy(req -> assertThat(req.action()).isEqualTo("DescribeSubnets"));
    }

    @Test
    void aRoundThatThrowsAnError_isContained_andTheNextRoundsStillRun() {
        AwsConfig every1s = new AwsConfig(true, "", "", imds.endpoint(), ec2.endpoint(), sts.endpoint(),
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMinutes(2), "lbs", "", "", "", "");
        AwsLayoutRefresher r = refresher(every1s, ENV_KEYS);
        AtomicInteger calls = new AtomicInteger();
        r.onChange(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new AssertionError("an Error, as a LinkageError from the SDK would be");
            }
        });
        r.start();
        Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> ec2.requests("DescribeSubnets").size() >= 2);
        assertThat(meters.get("netcost.agent.aws.refreshes").tag("source", "imds").tag("result", "success")
                .counter().count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void ec2Failing_keepsTheLastGoodSubnets_andItsStalenessGrows() {
        AwsLayoutRefresher r = refresher(config(Duration.ofMillis(300)), ENV_KEYS);
        assertThat(r.round()).isTrue();
        var good = r.current();

        ec2.failNext(100, 500, "InternalError");
        clock.advance(Duration.ofSeconds(90));
        assertThat(r.round()).isFalse();

        assertThat(r.current()).isEqualTo(good);
        assertThat(staleness("ec2")).isEqualTo(90.0);
        assertThat(staleness("imds")).as("IMDS answered this round").isZero();
        assertThat(meters.get("netcost.agent.aws.refreshes").tag("source", "ec2").tag("result", "failure").counter()
                .count()).isEqualTo(1.0);
        assertThat(ec2.requests("DescribeSubnets").size()).as("the SDK retried the 500s").isGreaterThan(2);
    }

    @Test
    void oneThrottlingAnswer_isRetriedByTheSdk() {
        AwsLayoutRefresher r = refresher(config(Duration.ofSeconds(5)), ENV_KEYS);
        ec2.failNext(1, 503, "RequestLimitExceeded");

        assertThat(r.round()).isTrue();

        assertThat(ec2.requests("DescribeSubnets")).hasSize(2);
        assertThat(r.current().zones()).hasSize(3);
    }

    @Test
    void slowEc2_timesOut_andImdsPartStillClassifiesThisNodesSubnet() {
        AwsLayoutRefresher r = refresher(config(Duration.ofMillis(200)), ENV_KEYS);
        ec2.delayNext(100, Duration.ofSeconds(2));

        assertThat(r.round()).isFalse();

        assertThat(r.current().vpc()).containsExactly(Cidr.parse("10.0.0.0/16"));
        assertThat(r.current().zones()).containsExactly(Map.entry("us-east-2a", List.of(Cidr.parse("10.0.0.0/19"))));
    }

    @Test
    void imdsDown_nothingLearnt_stalenessGrowsFromStartUp() {
        imds.fail(503);
        AwsLayoutRefresher r = refresher(config(Duration.ofMillis(300)), ENV_KEYS);
        clock.advance(Duration.ofSeconds(42));

        assertThat(r.round()).isFalse();

        assertThat(r.current().zones()).isEmpty();
        assertThat(staleness("imds")).isEqualTo(42.0);
        assertThat(staleness("ec2")).isEqualTo(42.0);
        assertThat(ec2.requests()).isEmpty();
    }

    @Test
    void irsa_exchangesTheTokenFileAtSts_andSignsEc2CallsWithThoseCredentials(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.projected.sa-token\n");
        AwsLayoutRefresher r = refresher(config(Duration.ofSeconds(5)), Map.of(
                "AWS_WEB_IDENTITY_TOKEN_FILE", token.toString(),
                "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/netcost-node"));

        assertThat(r.round()).isTrue();

        assertThat(sts.requests()).hasSize(1);
        assertThat(sts.requests().get(0)).containsEntry("Action", "AssumeRoleWithWebIdentity")
                .containsEntry("RoleArn", "arn:aws:iam::123456789012:role/netcost-node")
                .containsEntry("WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.projected.sa-token");
        assertThat(ec2.requests("DescribeSubnets").get(0).authorization())
                .contains("Credential=" + StsServer.ACCESS_KEY_ID + "/");
    }

    @Test
    void noKeysNoIrsa_fallsBackToTheInstanceProfile_throughTheConfiguredImds() {
        imds.instanceProfile("eks-node-role", "ASIAINSTANCEPROFILE1");
        AwsLayoutRefresher r = refresher(config(Duration.ofSeconds(5)), Map.of());

        assertThat(r.round()).isTrue();

        assertThat(ec2.requests("DescribeSubnets").get(0).authorization())
                .contains("Credential=ASIAINSTANCEPROFILE1/");
    }

    @Test
    void everyEndpointInTheseTests_isOnLoopback() throws Exception {
        AwsConfig c = config(Duration.ofSeconds(1));
        for (var uri : List.of(c.imdsEndpoint(), c.ec2Endpoint(), c.stsEndpoint())) {
            assertThat(InetAddress.getByName(uri.getHost()).isLoopbackAddress()).as(uri.toString()).isTrue();
        }
        assertThat(AwsConfig.DEFAULT.enabled()).as("the agent's own default never calls AWS").isFalse();
    }

    private static int ip(String text) throws Exception {
        byte[] a = InetAddress.getByName(text).getAddress();
        return (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
    }
}
