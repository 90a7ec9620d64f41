package dev.netcost.report.allocate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsageKindTest {

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(nullValues = "null", value = {
        "USE2-DataTransfer-Regional-Bytes, AWSDataTransfer, REGIONAL_BYTES",
        "DataTransfer-Regional-Bytes, AmazonEC2, REGIONAL_BYTES",
        "EU-DataTransfer-Regional-Bytes, AmazonEC2, REGIONAL_BYTES",
        "APN1-DataTransfer-Out-Bytes, AmazonEC2, OUT_BYTES",
        "USE2-NatGateway-Bytes, AmazonEC2, NAT_BYTES",
        "NatGateway-Hours, AmazonEC2, NAT_HOURS",
        "USE2-LoadBalancerUsage, AWSELB, LB_HOURS",
        "EU-LCUUsage, AWSELB, LB_LCU",
        // Inter-region transfer is not in scope, nor is a load-balancer usage type under another product.
        "USE2-USW2-AWS-Out-Bytes, AWSDataTransfer, null",
        "USE2-LoadBalancerUsage, AmazonEC2, null",
        "USE2-BoxUsage:m5.large, AmazonEC2, null",
        "use2-DataTransfer-Out-Bytes, AmazonEC2, null",
        "USE2-X-DataTransfer-Out-Bytes, AmazonEC2, null"
    })
    void recognisesTheNetworkUsageTypes_withAnyRegionPrefix(String usageType, String product, UsageKind expected) {
        assertThat(UsageKind.of(usageType, product)).isEqualTo(expected);
    }
}
