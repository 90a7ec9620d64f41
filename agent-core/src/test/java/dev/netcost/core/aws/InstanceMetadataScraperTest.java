package dev.netcost.core.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.AwsConfig;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.testing.ImdsServer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;

/** IMDSv2 through the SDK's HTTP client against a local IMDS that enforces the token flow. */
class InstanceMetadataScraperTest {
    private final ImdsServer imds = new ImdsServer().instance("i-0abc1234def567890", "us-east-2b", "use2-az2",
            "vpc-0abc1234", "10.0.0.0/16\n100.64.0.0/16", "10.0.32.0/19");
    private final AwsConfig config = new AwsConfig(true, "", "", imds.endpoint(), null, null, Duration.ofMillis(500),
            Duration.ofHours(1), Duration.ofMinutes(2), "lbs", "", "", "", "");
    private final SdkHttpClient http = AwsClients.httpClient(config);
    private final InstanceMetadataScraper scraper = new InstanceMetadataScraper(imds.endpoint(), http, Clock.systemUTC());

    @AfterEach
    void stop() {
        http.close();
        imds.close();
    }

    @Test
    void readsIdentityAndEveryVpcCidrBlock_withOneToken() throws IOException {
        InstanceIdentity id = scraper.scrape();
        InstanceIdentity again = scraper.scrape();

        assertThat(id.region()).isEqualTo("us-east-2");
        assertThat(id.zone()).isEqualTo("us-east-2b");
        assertThat(id.zoneId()).isEqualTo("use2-az2");
        assertThat(id.instanceId()).isEqualTo("i-0abc1234def567890");
        assertThat(id.instanceType()).isEqualTo("m6i.large");
        assertThat(id.vpcId()).isEqualTo("vpc-0abc1234");
        assertThat(id.vpcCidrs()).containsExactly(Cidr.parse("10.0.0.0/16"), Cidr.parse("100.64.0.0/16"));
        assertThat(id.subnetId()).isEqualTo("subnet-0self");
        assertThat(id.subnetCidrs()).containsExactly(Cidr.parse("10.0.32.0/19"));
        assertThat(again).isEqualTo(id);
        assertThat(imds.tokenRequests()).as("the token is reused until it nears expiry").isEqualTo(1);
        assertThat(imds.unauthorizedAnswers()).isZero();
    }

    @Test
    void ipv6Blocks_areReadWhenPresent() throws IOException {
        imds.put("network/interfaces/macs/0e:49:61:0f:c3:11/vpc-ipv6-cidr-blocks", "2600:1f16:abc:de00::/56");
        imds.put("network/interfaces/macs/0e:49:61:0f:c3:11/subnet-ipv6-cidr-blocks", "2600:1f16:abc:de01::/64");

        InstanceIdentity id = scraper.scrape();

        assertThat(id.vpcCidrs()).contains(Cidr.parse("2600:1f16:abc:de00::/56"));
        assertThat(id.subnetCidrs()).contains(Cidr.parse("2600:1f16:abc:de01::/64"));
    }

    @Test
    void revokedToken_getsA401_thenANewTokenAndOneRetry() throws IOException {
        scraper.scrape();
        imds.revokeTokens();

        InstanceIdentity id = scraper.scrape();

        assertThat(id.instanceId()).isEqualTo("i-0abc1234def567890");
        assertThat(imds.unauthorizedAnswers()).isEqualTo(1);
        assertThat(imds.tokenRequests()).isEqualTo(2);
    }

    @Test
    void missingOptionalItem_isEmpty_butMissingInstanceIdFails() throws IOException {
        ImdsServer bare = new ImdsServer();
        try (SdkHttpClient h = AwsClients.httpClient(config); bare) {
            bare.instance("i-1", "us-east-2a", "use2-az1", "vpc-1", "10.0.0.0/16", "10.0.0.0/19");
            bare.put("placement/availability-zone-id", "");
            InstanceMetadataScraper s = new InstanceMetadataScraper(bare.endpoint(), h, Clock.systemUTC());
            assertThat(s.get("no/such/item")).isNull();
            bare.put("instance-id", "");
            assertThatThrownBy(s::scrape).isInstanceOf(IOException.class).hasMessageContaining("instance-id");
        }
    }

    @Test
    void serverError_failsNamingTheStatus() {
        imds.fail(500);

        assertThatThrownBy(scraper::scrape).isInstanceOf(IOException.class).hasMessageContaining("500");
    }

    @Test
    void unansweredTokenRequest_timesOutInsteadOfHanging() {
        imds.hang(Duration.ofSeconds(5)); // what a pod sees with hop limit 1: the answer never arrives

        assertThatThrownBy(scraper::scrape).isInstanceOf(IOException.class);
    }
}
