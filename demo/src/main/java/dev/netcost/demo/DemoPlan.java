package dev.netcost.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netcost.demo.DemoCluster.Pod;
import dev.netcost.demo.traffic.TrafficJob;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo sends, decided before anything is sent: it drives the traffic clients, the demo bill
 * and the checks, and is written to {@code netcost-data/demo-plan.json}.
 *
 * <p>Through the shared ALB, game-2048 gets about 70 % of the bytes in 30 % of the new connections
 * (few large answers) and the shop the reverse (many small ones), so the split by LCUs — each dimension
 * weighted by the LCUs it makes — differs from both the byte ratio and the connection ratio. The
 * storefront also calls the cart in the other zone (cross-zone transfer, billed on both instances)
 * and a payments API on the internet through the NAT gateway; a game pod downloads from a CDN on the
 * internet (NAT processing, no egress).
 */
final class DemoPlan {
    /** Bytes in one LCU-hour of processed bytes (the price book's GB) and new connections in one LCU-hour (25/s). */
    static final BigDecimal LCU_BYTES = BigDecimal.valueOf(1L << 30);
    static final BigDecimal LCU_CONNECTIONS = BigDecimal.valueOf(25 * 3600);
    static final Duration TRAFFIC_DURATION = Duration.ofSeconds(20);
    /** The clients' start, a slow machine, and two agent intervals after the last request. */
    static final Duration TRAFFIC_MARGIN = Duration.ofSeconds(25);
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    /** What a flow is, for the bill and the checks. */
    enum Kind {
        /** Requests from the ALB's ENIs to one namespace's pods. */
        ALB,
        /** A pod calling a pod in the other zone. */
        CROSS_ZONE,
        /** A pod talking to the internet through the NAT gateway. */
        INTERNET
    }

    /**
     * One planned flow: a traffic job, who runs it (the namespace role the client runs in), and whose it is.
     *
     * @param kind      what it costs
     * @param clientRole the network namespace the client runs in
     * @param job       the requests
     * @param namespace the Kubernetes namespace the flow is billed to (the pods' side)
     * @param from      the pod that sends (cross-zone, internet) or null (ALB)
     * @param to        the pod that receives (cross-zone) or null
     */
    record Flow(Kind kind, String clientRole, TrafficJob job, String namespace, Pod from, Pod to) {
        long payload() {
            return job.requestBytes() + job.responseBytes();
        }
    }

    static final List<Flow> FLOWS = List.of(
            new Flow(Kind.ALB, "alb", new TrafficJob("alb-game-2048", "GET", eniAddresses(),
                    List.of(DemoCluster.GAME_A.ip(), DemoCluster.GAME_B.ip()), 80, "2048.example.com", 430, 64 * KIB),
                    "game-2048", null, null),
            new Flow(Kind.ALB, "alb", new TrafficJob("alb-shop", "GET", eniAddresses(),
                    List.of(DemoCluster.STOREFRONT.ip()), 80, "shop.example.com", 1000, 12 * KIB), "shop", null, null),
            new Flow(Kind.CROSS_ZONE, DemoCluster.STOREFRONT.role(), new TrafficJob("storefront-to-cart", "POST", List.of(),
                    List.of(DemoCluster.CART.ip()), 80, "cart.shop.svc.cluster.local", 4, 2 * MIB), "shop",
                    DemoCluster.STOREFRONT, DemoCluster.CART),
            new Flow(Kind.INTERNET, DemoCluster.STOREFRONT.role(), new TrafficJob("storefront-to-payments-api", "POST",
                    List.of(), List.of(DemoCluster.INTERNET_HOST), 80, "payments.example.net", 3, 2 * MIB), "shop",
                    DemoCluster.STOREFRONT, null),
            new Flow(Kind.INTERNET, DemoCluster.GAME_A.role(), new TrafficJob("game-from-cdn", "GET", List.of(),
                    List.of(DemoCluster.INTERNET_HOST), 80, "cdn.example.net", 3, MIB), "game-2048",
                    DemoCluster.GAME_A, null));

    private DemoPlan() {
    }

    private static List<String> eniAddresses() {
        return DemoCluster.ALB.enis().stream().map(DemoCluster.Eni::ip).toList();
    }

    /**
     * How long to wait before sending so that the traffic, with room for the clients' start and the
     * agents' last samples, ends in the clock hour it starts in: the report and the bill are hourly, and a
     * load balancer's hourly price is split by each hour's own shares, so traffic cut by an hour boundary
     * would split a few seconds' worth of it into an hour of its own. Zero when it fits; else until five
     * seconds into the next hour.
     */
    static Duration delayBeforeTraffic(Instant now) {
        Instant next = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        Duration left = Duration.between(now, next);
        return left.compareTo(TRAFFIC_DURATION.plus(TRAFFIC_MARGIN)) < 0 ? left.plusSeconds(5) : Duration.ZERO;
    }

    /** The flows whose client runs in {@code role}'s namespace. */
    static List<Flow> flowsFrom(String role) {
        return FLOWS.stream().filter(f -> f.clientRole().equals(role)).toList();
    }

    /** The namespaces the traffic clients run in, in a fixed order. */
    static List<String> clientRoles() {
        return FLOWS.stream().map(Flow::clientRole).distinct().toList();
    }

    static String teamOf(String namespace) {
        return DemoCluster.PODS.stream().filter(p -> p.namespace().equals(namespace)).findFirst().orElseThrow().team();
    }

    /** Planned share of the ALB per team: bytes alone, new connections alone, and LCU-weighted (the cost model's). */
    record AlbShare(String team, BigDecimal bytes, BigDecimal connections, BigDecimal lcu) {
    }

    /**
     * The cost model's split of the ALB between the teams, from the planned payloads: each team's LCUs
     * {@code b/B + c/C} over the ALB's. Headers on the wire add a few per cent to the bytes, so the
     * measured split lands close to this, not on it.
     */
    static List<AlbShare> albShares() {
        Map<String, long[]> byTeam = new LinkedHashMap<>();
        for (Flow f : FLOWS) {
            if (f.kind() == Kind.ALB) {
                long[] t = byTeam.computeIfAbsent(teamOf(f.namespace()), k -> new long[2]);
                t[0] += f.payload();
                t[1] += f.job().count();
            }
        }
        long bytes = byTeam.values().stream().mapToLong(v -> v[0]).sum();
        long conns = byTeam.values().stream().mapToLong(v -> v[1]).sum();
        BigDecimal lcus = lcu(bytes, conns);
        List<AlbShare> out = new ArrayList<>();
        byTeam.forEach((team, v) -> out.add(new AlbShare(team, ratio(v[0], bytes), ratio(v[1], conns),
                lcu(v[0], v[1]).divide(lcus, MathContext.DECIMAL64))));
        return out;
    }

    /** LCU-hours of {@code bytes} and {@code connections}, summed over the two dimensions (the share's weight). */
    static BigDecimal lcu(long bytes, long connections) {
        return BigDecimal.valueOf(bytes).divide(LCU_BYTES, MathContext.DECIMAL64)
                .add(BigDecimal.valueOf(connections).divide(LCU_CONNECTIONS, MathContext.DECIMAL64));
    }

    private static BigDecimal ratio(long part, long whole) {
        return BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), MathContext.DECIMAL64);
    }

    /** The plan as {@code demo-plan.json}. */
    static ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("what", "netcost demo: the traffic the demo sends, decided before it is sent. Bytes are TCP payload"
                + " (HTTP requests and answers, headers included); netcost measures them on the wire, IP and TCP"
                + " headers included, so its figures are a few per cent higher.");
        root.put("cluster", DemoCluster.NAME);
        root.put("traffic_seconds", TRAFFIC_DURATION.toSeconds());
        ObjectNode alb = root.putObject("load_balancer");
        alb.put("name", DemoCluster.ALB.name());
        alb.put("arn", DemoCluster.ALB.arn());
        alb.put("alb_group", DemoCluster.ALB.group());
        ArrayNode enis = alb.putArray("enis");
        DemoCluster.ALB.enis().forEach(e -> enis.addObject().put("ip", e.ip()).put("zone", e.zone()));
        ObjectNode namespaces = root.putObject("namespaces");
        for (Pod p : DemoCluster.PODS) {
            ObjectNode ns = namespaces.has(p.namespace()) ? (ObjectNode) namespaces.get(p.namespace())
                    : namespaces.putObject(p.namespace()).put("team", p.team());
            if (!ns.has("load_balancer")) {
                ns.putObject("load_balancer").put("bytes", 0L).put("new_connections", 0L);
                ns.put("cross_zone_bytes", 0L);
                ns.putObject("internet_bytes").put("egress", 0L).put("ingress", 0L);
            }
        }
        for (Flow fl : FLOWS) {
            ObjectNode ns = (ObjectNode) namespaces.get(fl.namespace());
            switch (fl.kind()) {
                case ALB -> {
                    ObjectNode lb = (ObjectNode) ns.get("load_balancer");
                    lb.put("bytes", lb.get("bytes").asLong() + fl.payload());
                    lb.put("new_connections", lb.get("new_connections").asLong() + fl.job().count());
                }
                case CROSS_ZONE -> ns.put("cross_zone_bytes", ns.get("cross_zone_bytes").asLong() + fl.payload());
                case INTERNET -> {
                    ObjectNode inet = (ObjectNode) ns.get("internet_bytes");
                    inet.put("egress", inet.get("egress").asLong() + fl.job().requestBytes());
                    inet.put("ingress", inet.get("ingress").asLong() + fl.job().responseBytes());
                }
                default -> throw new IllegalStateException("BUG: flow kind " + fl.kind());
            }
        }
        ArrayNode flows = root.putArray("flows");
        for (Flow fl : FLOWS) {
            ObjectNode o = flows.addObject();
            o.put("id", fl.job().id());
            o.put("kind", fl.kind().name().toLowerCase(java.util.Locale.ROOT));
            o.put("namespace", fl.namespace());
            o.put("from", fl.kind() == Kind.ALB ? "ALB ENIs " + String.join(", ", fl.job().sources()) : fl.from().namespace()
                    + "/" + fl.from().name());
            o.put("to", fl.to() != null ? fl.to().namespace() + "/" + fl.to().name()
                    : fl.kind() == Kind.INTERNET ? fl.job().host() + " (" + DemoCluster.INTERNET_HOST + ", via the NAT gateway)"
                    : String.join(", ", fl.job().targets()));
            o.put("method", fl.job().method());
            o.put("requests", fl.job().count());
            o.put("body_bytes", fl.job().body());
            o.put("request_bytes", fl.job().requestBytes());
            o.put("response_bytes", fl.job().responseBytes());
        }
        ArrayNode split = root.putArray("alb_split_planned");
        for (AlbShare s : albShares()) {
            split.addObject().put("team", s.team()).put("bytes_share", round(s.bytes()))
                    .put("new_connections_share", round(s.connections())).put("lcu_share", round(s.lcu()));
        }
        return root;
    }

    private static BigDecimal round(BigDecimal v) {
        return v.setScale(4, RoundingMode.HALF_UP);
    }
}
