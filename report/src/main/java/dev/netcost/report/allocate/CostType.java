package dev.netcost.report.allocate;

/** What a dollar was spent on: the {@code cost_type} of the recording rules and of every report row. */
public enum CostType {
    /** Inter-AZ transfer, billed on each side's instance ({@code *DataTransfer-Regional-Bytes}). */
    CROSS_ZONE("cross_zone"),
    /** Transfer to the internet ({@code *DataTransfer-Out-Bytes}). */
    INTERNET_EGRESS("internet_egress"),
    /** NAT gateway hours and processed bytes ({@code *NatGateway-Hours}, {@code *NatGateway-Bytes}). */
    NAT_GATEWAY("nat_gateway"),
    /** ALB/NLB hours and LCUs ({@code AWSELB *LoadBalancerUsage}, {@code *LCUUsage}). */
    LOAD_BALANCER("load_balancer");

    private final String label;

    CostType(String label) {
        this.label = label;
    }

    /** As written in reports and in the {@code cost_type} label. */
    public String label() {
        return label;
    }
}
