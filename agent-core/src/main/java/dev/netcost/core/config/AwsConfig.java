package dev.netcost.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code aws} section: zero-config classification and node facts on EKS (node agent), load-balancer
 * discovery (webhook leader), and the static node facts for use without AWS. Documented in
 * docs/configuration.md; every endpoint can be overridden, so tests and demos never reach AWS.
 *
 * @param enabled                   {@code aws.enabled}: ask IMDS and EC2 (default false; the chart sets true)
 * @param region                    {@code aws.region}: the region for API calls and {@code netcost_node_info};
 *                                  empty: from IMDS, else {@code AWS_REGION}
 * @param vpcId                     {@code aws.vpcId}: the VPC the webhook searches for load-balancer ENIs;
 *                                  empty: from IMDS, else every VPC the credentials see
 * @param imdsEndpoint              {@code aws.imdsEndpoint}: the instance metadata service
 * @param ec2Endpoint               {@code aws.ec2Endpoint}: EC2 API endpoint; null: the region's own
 * @param stsEndpoint               {@code aws.stsEndpoint}: STS endpoint for IRSA; null: the region's own
 * @param timeout                   {@code aws.timeout}: one HTTP attempt to IMDS, EC2 or STS
 * @param subnetRefresh             {@code aws.subnetRefresh}: time between IMDS + DescribeSubnets rounds on a node
 * @param discoveryInterval         {@code aws.discoveryInterval}: time between DescribeNetworkInterfaces rounds
 *                                  of the webhook leader
 * @param loadBalancerConfigMap     {@code aws.loadBalancerConfigMap}: the ConfigMap the webhook publishes its
 *                                  discovered load balancers in and the node agents watch; empty: no
 *                                  load-balancer discovery (IMDS and subnets still work)
 * @param loadBalancerConfigMapNamespace {@code aws.loadBalancerConfigMapNamespace}: its namespace; empty: the
 *                                  client's (the pod's own)
 * @param instanceId                {@code aws.instanceId}: this node's EC2 instance id when not learnt from
 *                                  the API or IMDS (standalone, demos)
 * @param instanceType              {@code aws.instanceType}: likewise, its instance type
 * @param zoneId                    {@code aws.zoneId}: likewise, its availability-zone id ({@code use2-az1})
 */
public record AwsConfig(
        boolean enabled,
        String region,
        String vpcId,
        URI imdsEndpoint,
        URI ec2Endpoint,
        URI stsEndpoint,
        Duration timeout,
        Duration subnetRefresh,
        Duration discoveryInterval,
        String loadBalancerConfigMap,
        String loadBalancerConfigMapNamespace,
        String instanceId,
        String instanceType,
        String zoneId) {

    /** The link-local address every EC2 instance reaches its metadata service at. */
    public static final URI DEFAULT_IMDS_ENDPOINT = URI.create("http://169.254.169.254");
    public static final String DEFAULT_CONFIG_MAP = "netcost-load-balancers";
    public static final AwsConfig DEFAULT = new AwsConfig(false, "", "", DEFAULT_IMDS_ENDPOINT, null, null,
            Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofMinutes(2), DEFAULT_CONFIG_MAP, "", "", "", "");

    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public AwsConfig {
        Objects.requireNonNull(imdsEndpoint, "imdsEndpoint");
        region = region == null ? "" : region;
        vpcId = vpcId == null ? "" : vpcId;
        loadBalancerConfigMapNamespace = loadBalancerConfigMapNamespace == null ? "" : loadBalancerConfigMapNamespace;
        instanceId = instanceId == null ? "" : instanceId;
        instanceType = instanceType == null ? "" : instanceType;
        zoneId = zoneId == null ? "" : zoneId;
    }

    /** Reads the {@code aws} section; problems are reported on {@code n}. */
    static AwsConfig parse(ConfigNode n) {
        AwsConfig d = DEFAULT;
        boolean enabled = n.bool("enabled", d.enabled());
        String region = n.string("region", d.region()).trim();
        if (!region.isEmpty() && !REGION.matcher(region).matches()) {
            n.error("region", "must be an AWS region code such as us-east-2, got '" + region + "'");
        }
        String vpcId = n.string("vpcId", d.vpcId()).trim();
        if (!vpcId.isEmpty() && !vpcId.matches("vpc-[0-9a-f]{8,17}")) {
            n.error("vpcId", "must be a VPC id such as vpc-0abc1234def567890, got '" + vpcId + "'");
        }
        URI imds = n.httpUrl("imdsEndpoint", false);
        URI ec2 = n.httpUrl("ec2Endpoint", false);
        URI sts = n.httpUrl("stsEndpoint", false);
        Duration timeout = n.duration("timeout", d.timeout(), Duration.ofMillis(100));
        Duration subnets = n.duration("subnetRefresh", d.subnetRefresh(), Duration.ofSeconds(1));
        Duration discovery = n.duration("discoveryInterval", d.discoveryInterval(), Duration.ofSeconds(1));
        String cm = n.string("loadBalancerConfigMap", d.loadBalancerConfigMap()).trim();
        if (!cm.isEmpty() && !DNS_SUBDOMAIN.matcher(cm).matches()) {
            n.error("loadBalancerConfigMap", "must be a ConfigMap name (lower-case letters, digits, '-' and '.'),"
                    + " got '" + cm + "'");
        }
        String cmNs = n.string("loadBalancerConfigMapNamespace", d.loadBalancerConfigMapNamespace()).trim();
        if (!cmNs.isEmpty() && !DNS_LABEL.matcher(cmNs).matches()) {
            n.error("loadBalancerConfigMapNamespace", "must be a namespace name, got '" + cmNs + "'");
        }
        String instanceId = n.string("instanceId", d.instanceId()).trim();
        String instanceType = n.string("instanceType", d.instanceType()).trim();
        String zoneId = n.string("zoneId", d.zoneId()).trim();
        n.finish();
        return new AwsConfig(enabled, region, vpcId, imds == null ? d.imdsEndpoint() : imds, ec2, sts, timeout,
                subnets, discovery, cm, cmNs, instanceId, instanceType, zoneId);
    }
}
