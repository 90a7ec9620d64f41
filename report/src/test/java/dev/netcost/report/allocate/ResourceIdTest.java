package dev.netcost.report.allocate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceIdTest {

    @Test
    void parsesInstances_plainAndAsArn() {
        assertThat(ResourceId.parse("i-0abc123")).satisfies(r -> {
            assertThat(r.kind()).isEqualTo(ResourceId.Kind.INSTANCE);
            assertThat(r.id()).isEqualTo("i-0abc123");
            assertThat(r.display()).isEqualTo("i-0abc123");
        });
        assertThat(ResourceId.parse("arn:aws:ec2:us-east-2:123456789012:instance/i-0def"))
                .extracting(ResourceId::kind, ResourceId::id, ResourceId::region)
                .containsExactly(ResourceId.Kind.INSTANCE, "i-0def", "us-east-2");
    }

    @Test
    void parsesNatGateways_withTheirRegion() {
        assertThat(ResourceId.parse("arn:aws:ec2:eu-west-1:123456789012:natgateway/nat-0123abcd"))
                .extracting(ResourceId::kind, ResourceId::id, ResourceId::region)
                .containsExactly(ResourceId.Kind.NAT_GATEWAY, "nat-0123abcd", "eu-west-1");
        assertThat(ResourceId.parse("nat-0123abcd").region()).isEmpty();
    }

    @Test
    void parsesLoadBalancerArns_intoNameTypeAndId() {
        ResourceId alb = ResourceId.parse(
                "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/k8s-game2048-ingress2-01278469b7/50dc6c495c0c9188");
        assertThat(alb).extracting(ResourceId::kind, ResourceId::name, ResourceId::id, ResourceId::lbType, ResourceId::display)
                .containsExactly(ResourceId.Kind.LOAD_BALANCER, "k8s-game2048-ingress2-01278469b7", "50dc6c495c0c9188",
                        "application", "k8s-game2048-ingress2-01278469b7");
        assertThat(ResourceId.parse("arn:aws:elasticloadbalancing:us-east-2:1:loadbalancer/net/k8s-nlb/abc").lbType())
                .isEqualTo("network");
    }

    @Test
    void anythingElse_isOther() {
        assertThat(ResourceId.parse("my-bucket").kind()).isEqualTo(ResourceId.Kind.OTHER);
        assertThat(ResourceId.parse("").display()).isEqualTo("(no resource id)");
        assertThat(ResourceId.parse(null).kind()).isEqualTo(ResourceId.Kind.OTHER);
    }
}
