package dev.netcost.report.allocate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CUR {@code line_item_resource_id}, understood: an EC2 instance ({@code i-...} or its ARN), a NAT
 * gateway ({@code nat-...} or its ARN) or an ELBv2 load balancer
 * ({@code arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app|net/NAME/ID}).
 *
 * @param kind   what it is
 * @param id     the instance or NAT gateway id, or the load balancer's id (last part of the ARN)
 * @param name   the load balancer's name ("" otherwise)
 * @param lbType {@code application} or {@code network} for a load balancer ("" otherwise)
 * @param region the region from an ARN, or ""
 * @param raw    the text as billed
 */
public record ResourceId(Kind kind, String id, String name, String lbType, String region, String raw) {

    public enum Kind {
        INSTANCE, NAT_GATEWAY, LOAD_BALANCER, OTHER
    }

    private static final Pattern INSTANCE = Pattern.compile("(?:arn:aws[a-z-]*:ec2:([a-z0-9-]*):\\d*:instance/)?(i-[0-9a-f]+)");
    private static final Pattern NAT = Pattern.compile("(?:arn:aws[a-z-]*:ec2:([a-z0-9-]*):\\d*:natgateway/)?(nat-[0-9a-f]+)");
    private static final Pattern LB = Pattern.compile(
            "arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]*):\\d*:loadbalancer/(app|net)/([^/]+)/([^/]+)");

    public static ResourceId parse(String text) {
        String t = text == null ? "" : text.strip();
        Matcher m = INSTANCE.matcher(t);
        if (m.matches()) {
            return new ResourceId(Kind.INSTANCE, m.group(2), "", "", nullToEmpty(m.group(1)), t);
        }
        m = NAT.matcher(t);
        if (m.matches()) {
            return new ResourceId(Kind.NAT_GATEWAY, m.group(2), "", "", nullToEmpty(m.group(1)), t);
        }
        m = LB.matcher(t);
        if (m.matches()) {
            return new ResourceId(Kind.LOAD_BALANCER, m.group(4), m.group(3),
                    m.group(2).equals("net") ? "network" : "application", m.group(1), t);
        }
        return new ResourceId(Kind.OTHER, t, "", "", "", t);
    }

    /** The short name used in report rows: the instance or NAT gateway id, or the load balancer's name. */
    public String display() {
        return switch (kind) {
            case LOAD_BALANCER -> name;
            case OTHER -> raw.isEmpty() ? "(no resource id)" : raw;
            default -> id;
        };
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
