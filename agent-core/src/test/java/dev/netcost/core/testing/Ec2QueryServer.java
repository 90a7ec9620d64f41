package dev.netcost.core.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * EC2's Query API on 127.0.0.1, as the AWS SDK speaks it: form-encoded POSTs ({@code Action},
 * {@code Version}, {@code Filter.N.Name}, {@code Filter.N.Value.M}, {@code MaxResults}, {@code NextToken})
 * answered with the {@code 2016-11-15} XML documents, paginated with {@code nextToken}, and EC2's error
 * document ({@code <Response><Errors><Error><Code>}) for injected failures. Implements
 * {@code DescribeNetworkInterfaces} (filters {@code description} with {@code *} wildcards, {@code vpc-id})
 * and {@code DescribeSubnets} (filter {@code vpc-id}).
 */
public final class Ec2QueryServer extends LocalAwsServer {
    private static final String NS = "http://ec2.amazonaws.com/doc/2016-11-15/";

    /** One ENI as DescribeNetworkInterfaces lists it. */
    public record Eni(String id, String vpcId, String zone, String description, List<String> privateIps,
                      List<String> ipv6) {
    }

    /** One subnet as DescribeSubnets lists it; {@code ipv6Cidr} may be null. */
    public record Subnet(String id, String vpcId, String zone, String cidr, String ipv6Cidr) {
    }

    /** What one request carried. */
    public record Request(String action, Map<String, String> params, String authorization) {
    }

    private volatile List<Eni> enis = List.of();
    private volatile List<Subnet> subnets = List.of();
    private volatile int pageSize = 1000;
    private final AtomicInteger failures = new AtomicInteger();
    private volatile int failStatus;
    private volatile String failCode;
    private volatile Duration delay = Duration.ZERO;
    private final AtomicInteger delays = new AtomicInteger();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    public void networkInterfaces(List<Eni> list) {
        enis = List.copyOf(list);
    }

    public void subnets(List<Subnet> list) {
        subnets = List.copyOf(list);
    }

    /** Items per page at most (the request's MaxResults may lower it). */
    public void pageSize(int size) {
        pageSize = size;
    }

    /** The next {@code n} requests fail with {@code status} and EC2 error {@code code}. */
    public void failNext(int n, int status, String code) {
        failStatus = status;
        failCode = code;
        failures.set(n);
    }

    /** The next {@code n} requests are answered only after {@code d}. */
    public void delayNext(int n, Duration d) {
        delay = d;
        delays.set(n);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public List<Request> requests(String action) {
        return requests.stream().filter(r -> r.action().equals(action)).toList();
    }

    @Override
    protected void handle(HttpExchange ex) throws IOException {
        Map<String, String> p = form(ex);
        String action = p.getOrDefault("Action", "");
        requests.add(new Request(action, p, ex.getRequestHeaders().getFirst("Authorization")));
        if (delays.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            try {
                Thread.sleep(delay.toMillis()); // simulates a slow service; the client's timeout is under test
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(ex, failStatus, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
                    + failCode + "</Code><Message>injected by the test</Message></Error></Errors>"
                    + "<RequestID>req-fail</RequestID></Response>");
            return;
        }
        if (!"2016-11-15".equals(p.get("Version"))) {
            reply(ex, 400, "text/xml", error("InvalidParameterValue"));
            return;
        }
        switch (action) {
            case "DescribeNetworkInterfaces" -> describeNetworkInterfaces(ex, p);
            case "DescribeSubnets" -> describeSubnets(ex, p);
            default -> reply(ex, 400, "text/xml", error("InvalidAction"));
        }
    }

    private static String error(String code) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + code
                + "</Code><Message>" + code + "</Message></Error></Errors><RequestID>req-err</RequestID></Response>";
    }

    private void describeNetworkInterfaces(HttpExchange ex, Map<String, String> p) throws IOException {
        List<Eni> matching = new ArrayList<>();
        for (Eni e : enis) {
            if (matches(p, "description", e.description()) && matches(p, "vpc-id", e.vpcId())) {
                matching.add(e);
            }
        }
        Page page = page(p, matching.size());
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeNetworkInterfacesResponse xmlns=\"")
                .append(NS).append("\">\n  <requestId>req-dni</requestId>\n  <networkInterfaceSet>\n");
        for (Eni e : matching.subList(page.from(), page.to())) {
            b.append("    <item>\n      <networkInterfaceId>").append(e.id()).append("</networkInterfaceId>\n")
                    .append("      <subnetId>subnet-0aaa</subnetId>\n      <vpcId>").append(e.vpcId()).append("</vpcId>\n")
                    .append("      <availabilityZone>").append(e.zone()).append("</availabilityZone>\n")
                    .append("      <description>").append(xml(e.description())).append("</description>\n")
                    .append("      <ownerId>123456789012</ownerId>\n      <requesterId>amazon-elb</requesterId>\n")
                    .append("      <requesterManaged>true</requesterManaged>\n      <status>in-use</status>\n")
                    .append("      <privateIpAddress>").append(e.privateIps().get(0)).append("</privateIpAddress>\n")
                    .append("      <privateIpAddressesSet>\n");
            boolean primary = true;
            for (String ip : e.privateIps()) {
                b.append("        <item><privateIpAddress>").append(ip).append("</privateIpAddress><primary>")
                        .append(primary).append("</primary></item>\n");
                primary = false;
            }
            b.append("      </privateIpAddressesSet>\n      <ipv6AddressesSet>\n");
            for (String ip : e.ipv6()) {
                b.append("        <item><ipv6Address>").append(ip).append("</ipv6Address></item>\n");
            }
            b.append("      </ipv6AddressesSet>\n      <interfaceType>interface</interfaceType>\n    </item>\n");
        }
        b.append("  </networkInterfaceSet>\n");
        if (page.next() != null) {
            b.append("  <nextToken>").append(page.next()).append("</nextToken>\n");
        }
        b.append("</DescribeNetworkInterfacesResponse>\n");
        reply(ex, 200, "text/xml;charset=UTF-8", b.toString());
    }

    private void describeSubnets(HttpExchange ex, Map<String, String> p) throws IOException {
        List<Subnet> matching = new ArrayList<>();
        for (Subnet s : subnets) {
            if (matches(p, "vpc-id", s.vpcId())) {
                matching.add(s);
            }
        }
        Page page = page(p, matching.size());
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeSubnetsResponse xmlns=\"")
                .append(NS).append("\">\n  <requestId>req-ds</requestId>\n  <subnetSet>\n");
        for (Subnet s : matching.subList(page.from(), page.to())) {
            b.append("    <item>\n      <subnetId>").append(s.id()).append("</subnetId>\n")
                    .append("      <state>available</state>\n      <vpcId>").append(s.vpcId()).append("</vpcId>\n")
                    .append("      <cidrBlock>").append(s.cidr()).append("</cidrBlock>\n")
                    .append("      <ipv6CidrBlockAssociationSet>\n");
            if (s.ipv6Cidr() != null) {
                b.append("        <item><ipv6CidrBlock>").append(s.ipv6Cidr()).append("</ipv6CidrBlock>")
                        .append("<associationId>subnet-cidr-assoc-1</associationId>")
                        .append("<ipv6CidrBlockState><state>associated</state></ipv6CidrBlockState></item>\n");
            }
            b.append("      </ipv6CidrBlockAssociationSet>\n      <availableIpAddressCount>8000</availableIpAddressCount>\n")
                    .append("      <availabilityZone>").append(s.zone()).append("</availabilityZone>\n")
                    .append("      <availabilityZoneId>use2-az9</availabilityZoneId>\n")
                    .append("      <defaultForAz>false</defaultForAz>\n      <mapPublicIpOnLaunch>false</mapPublicIpOnLaunch>\n")
                    .append("    </item>\n");
        }
        b.append("  </subnetSet>\n");
        if (page.next() != null) {
            b.append("  <nextToken>").append(page.next()).append("</nextToken>\n");
        }
        b.append("</DescribeSubnetsResponse>\n");
        reply(ex, 200, "text/xml;charset=UTF-8", b.toString());
    }

    private record Page(int from, int to, String next) {
    }

    private Page page(Map<String, String> p, int total) {
        int from = p.containsKey("NextToken") ? Integer.parseInt(p.get("NextToken").substring("tok-".length())) : 0;
        int size = pageSize;
        if (p.containsKey("MaxResults")) {
            size = Math.min(size, Integer.parseInt(p.get("MaxResults")));
        }
        int to = Math.min(total, from + size);
        return new Page(from, to, to < total ? "tok-" + to : null);
    }

    /** Whether {@code value} passes the request's filter named {@code name} (absent filter: passes). */
    private static boolean matches(Map<String, String> p, String name, String value) {
        for (int i = 1; p.containsKey("Filter." + i + ".Name"); i++) {
            if (!p.get("Filter." + i + ".Name").equals(name)) {
                continue;
            }
            for (int j = 1; p.containsKey("Filter." + i + ".Value." + j); j++) {
                String pattern = p.get("Filter." + i + ".Value." + j);
                if (value.matches(java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q"))) {
                    return true;
                }
            }
            return false;
        }
        return true;
    }
}
