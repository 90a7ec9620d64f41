package dev.netcost.core.k8s;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of the ConfigMap in which the webhook leader publishes the load balancers it discovered and
 * every node agent reads them (docs/load-balancers.md). Two keys:
 * <ul>
 *   <li>{@code format}: {@value #FORMAT} — a reader refuses any other value, so a future incompatible
 *       layout is never misread (the node keeps its last good list and logs);</li>
 *   <li>{@code load-balancers.json}: {@code {"updated": RFC 3339, "vpcId": "...", "loadBalancers": [{"name",
 *       "type": "application"|"network", "id", "addresses": [{"ip", "zone"}], "targets": [{"namespace",
 *       "selector": {label: value}}]}]}}, sorted by name and by address (targets by namespace and selector),
 *       so that an unchanged discovery writes byte-identical data (and the webhook skips the update).
 *       {@code targets} is absent when they are not known (every pod); readers that predate it ignore
 *       it and count every pod, which loses nothing.</li>
 * </ul>
 */
public final class LoadBalancerConfigMap {
    public static final String FORMAT = "netcost.dev/load-balancers/v1";
    public static final String FORMAT_KEY = "format";
    public static final String DATA_KEY = "load-balancers.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private LoadBalancerConfigMap() {
    }

    /** The published list; {@code updated} is the last discovery that changed it. */
    public record Contents(Instant updated, String vpcId, List<LoadBalancer> loadBalancers) {
        public Contents {
            loadBalancers = List.copyOf(loadBalancers);
            vpcId = vpcId == null ? "" : vpcId;
        }
    }

    /** The ConfigMap's {@code data}. */
    public static Map<String, String> encode(Contents contents) {
        ObjectNode root = JSON.createObjectNode();
        root.put("updated", contents.updated().toString());
        root.put("vpcId", contents.vpcId());
        ArrayNode lbs = root.putArray("loadBalancers");
        for (LoadBalancer lb : sorted(contents.loadBalancers())) {
            ObjectNode o = lbs.addObject();
            o.put("name", lb.name());
            o.put("type", lb.type().label());
            o.put("id", lb.id());
            ArrayNode addrs = o.putArray("addresses");
            for (LoadBalancer.Address a : lb.addresses()) {
                addrs.addObject().put("ip", a.ip()).put("zone", a.zone());
            }
            if (lb.targets().known()) {
                ArrayNode targets = o.putArray("targets");
                for (LoadBalancer.Target t : lb.targets().selected()) {
                    ObjectNode selector = targets.addObject().put("namespace", t.namespace()).putObject("selector");
                    t.selector().forEach(selector::put);
                }
            }
        }
        Map<String, String> data = new LinkedHashMap<>();
        data.put(FORMAT_KEY, FORMAT);
        try {
            data.put(DATA_KEY, JSON.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("BUG: a JSON tree always serializes", e);
        }
        return data;
    }

    /** Load balancers sorted by name, each one's addresses by IP: the canonical order. */
    public static List<LoadBalancer> sorted(List<LoadBalancer> lbs) {
        List<LoadBalancer> out = new ArrayList<>();
        for (LoadBalancer lb : lbs) {
            List<LoadBalancer.Address> addrs = new ArrayList<>(lb.addresses());
            addrs.sort(Comparator.comparing(LoadBalancer.Address::ip));
            out.add(lb.withAddresses(addrs));
        }
        out.sort(Comparator.comparing(LoadBalancer::name));
        return out;
    }

    /**
     * Reads the data back; throws {@link IllegalArgumentException} naming the problem for another format,
     * bad JSON, or an entry without a name, a known type or addresses.
     */
    public static Contents decode(Map<String, String> data) {
        if (data == null) {
            throw new IllegalArgumentException("the ConfigMap has no data");
        }
        String format = data.get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("unsupported format '" + format + "' (this agent reads " + FORMAT
                    + "; possible fixes: run the same netcost version for the webhook and the node agents)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(data.getOrDefault(DATA_KEY, ""));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("'" + DATA_KEY + "' is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("'" + DATA_KEY + "' must be a JSON object");
        }
        Instant updated;
        try {
            updated = Instant.parse(root.path("updated").asText(""));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'updated' is not an RFC 3339 time: '" + root.path("updated").asText("")
                    + "'");
        }
        List<LoadBalancer> out = new ArrayList<>();
        for (JsonNode o : root.path("loadBalancers")) {
            String name = o.path("name").asText("");
            LoadBalancerType type = LoadBalancerType.fromLabel(o.path("type").asText(""));
            if (name.isEmpty() || type == null) {
                throw new IllegalArgumentException("a load balancer needs a name and a type (application or network): "
                        + o);
            }
            List<LoadBalancer.Address> addrs = new ArrayList<>();
            for (JsonNode a : o.path("addresses")) {
                String ip = a.path("ip").asText("");
                if (IpLiteral.parse(ip) == null) {
                    throw new IllegalArgumentException("load balancer '" + name + "' has an address that is not an IP: '"
                            + ip + "'");
                }
                addrs.add(new LoadBalancer.Address(ip, a.path("zone").asText("")));
            }
            if (addrs.isEmpty()) {
                throw new IllegalArgumentException("load balancer '" + name + "' has no addresses");
            }
            out.add(new LoadBalancer(name, type, o.path("id").asText(""), addrs, targets(name, o.get("targets"))));
        }
        return new Contents(updated, root.path("vpcId").asText(""), out);
    }

    /** {@code "targets"}: absent or null when not known (every pod), else a list of namespace and selector. */
    private static LoadBalancer.Targets targets(String name, JsonNode list) {
        if (list == null || list.isNull()) {
            return LoadBalancer.Targets.UNKNOWN;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException("load balancer '" + name + "' has targets that are not a list: " + list);
        }
        List<LoadBalancer.Target> out = new ArrayList<>();
        for (JsonNode t : list) {
            String namespace = t.path("namespace").asText("");
            JsonNode selector = t.path("selector");
            if (namespace.isEmpty() || !selector.isMissingNode() && !selector.isObject()) {
                throw new IllegalArgumentException("load balancer '" + name
                        + "' has a target without a namespace or with a selector that is not an object: " + t);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("load balancer '" + name + "' has a target selector whose value"
                            + " is not a string: " + t);
                }
                labels.put(e.getKey(), e.getValue().asText());
            }
            out.add(new LoadBalancer.Target(namespace, labels));
        }
        return LoadBalancer.Targets.of(out);
    }
}
