package dev.netcost.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.IpLiteral;
import dev.netcost.core.k8s.LoadBalancer;
import dev.netcost.core.k8s.LoadBalancerType;
import dev.netcost.core.spi.ExporterFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.io.StringReader;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Loads {@link AgentConfig} from one YAML file, {@code ${ENV}} substitution and {@code --set key=value}
 * overrides, in that order. Every problem is collected and reported at once by a {@link ConfigException}.
 */
public final class ConfigLoader {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    // Dashes are allowed so that map keys such as header names can be set.
    private static final Pattern OVERRIDE_PATH = Pattern.compile("([A-Za-z_][A-Za-z0-9_-]*)(?:\\[(\\d{1,9})])?");
    private static final Set<String> CORE_KEYS = Set.of("nodeName", "zone", "interval", "exporterTimeout",
            "remoteWrite", "localFile", "debug", "kubernetes", "pods", "classification", "loadBalancers",
            "pricing", "labels", "externalLabels", "dataDir", "aws",
            "maxLabelValueBytes");
    /** {@code externalLabels} every series gets unless the file says otherwise (an empty value removes one). */
    public static final Map<String, String> DEFAULT_EXTERNAL_LABELS = Map.of("job", "netcost");
    /** The longest {@code exporterTimeout} by default, whatever the interval. */
    static final Duration MAX_DEFAULT_EXPORTER_TIMEOUT = Duration.ofSeconds(10);
    /** Mimir's default {@code -validation.max-length-label-value}: a longer value makes it reject the whole batch. */
    static final int DEFAULT_MAX_LABEL_VALUE_BYTES = 2048;

    // A repeated key would otherwise silently drop the first value.
    private final ObjectMapper yaml = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
    private final Map<String, String> env;
    private final List<ExporterFactory<?>> factories;

    public ConfigLoader(Map<String, String> env, List<ExporterFactory<?>> factories) {
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.factories = List.copyOf(factories);
    }

    /** Loads {@code file} (null: defaults only), applying {@code overrides} ({@code a.b[0].c=value}). */
    public AgentConfig load(Path file, List<String> overrides) {
        if (file == null) {
            return load("", "built-in defaults", overrides);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            ConfigErrors errors = new ConfigErrors();
            errors.add("", "cannot read config file " + file + ": " + e);
            throw new ConfigException(file.toString(), errors.problems());
        }
        return load(text, file.toString(), overrides);
    }

    /** Loads YAML text given inline, with {@code ${ENV}} substitution; for tests and the demo. */
    public AgentConfig loadString(String yamlText) {
        return load(yamlText, "inline config", List.of());
    }

    private AgentConfig load(String yamlText, String source, List<String> overrides) {
        ConfigErrors errors = new ConfigErrors();
        ObjectNode root = parseYaml(yamlText, errors);
        substituteEnv(root, "", errors);
        errors.throwIfAny(source);
        for (String o : overrides) {
            // Applied to a copy, so that an override failing half-way leaves no stray keys behind.
            ObjectNode candidate = root.deepCopy();
            if (applyOverride(candidate, o, errors)) {
                root = candidate;
            }
        }
        AgentConfig config = bind(new ConfigNode(root, "", errors));
        errors.throwIfAny(source);
        return config;
    }

    private ObjectNode parseYaml(String text, ConfigErrors errors) {
        if (rejectAliases(text, errors)) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            JsonNode n = yaml.readTree(text);
            if (n == null || n.isMissingNode() || n.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!n.isObject()) {
                errors.add("", "the config file must be a YAML mapping");
                return JsonNodeFactory.instance.objectNode();
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            errors.add("", yamlProblem(e));
            return JsonNodeFactory.instance.objectNode();
        }
    }

    /**
     * Reports YAML aliases and merge keys, true when there was any. Jackson does not resolve them: an
     * alias would silently become its own name as a string ({@code interval: *i} reads as "i"), which
     * then fails with a puzzling message or, worse, passes as a value.
     */
    private static boolean rejectAliases(String text, ConfigErrors errors) {
        if (text.indexOf('*') < 0 && !text.contains("<<")) {
            return false;
        }
        boolean any = false;
        try {
            Event previous = null;
            for (Event e : new Yaml().parse(new StringReader(text))) {
                if (e instanceof ScalarEvent s && s.getValue().equals("<<") && s.isPlain()) {
                    errors.add("", at(e) + "YAML merge keys (<<) are not supported: write the merged keys out in this"
                            + " mapping");
                    any = true;
                } else if (e instanceof AliasEvent a && !(previous instanceof ScalarEvent p && p.getValue().equals("<<")
                        && p.isPlain())) {
                    errors.add("", at(e) + "YAML aliases (*" + a.getAnchor() + ") are not supported: netcost reads every"
                            + " value as written; repeat the value of the anchor &" + a.getAnchor() + " instead");
                    any = true;
                }
                previous = e;
            }
        } catch (RuntimeException e) {
            return any; // a syntax error: the real parse reports it
        }
        return any;
    }

    private static String at(Event e) {
        return e.getStartMark() == null ? "" : "line " + (e.getStartMark().getLine() + 1) + ", column "
                + (e.getStartMark().getColumn() + 1) + ": ";
    }

    private static String yamlProblem(JsonProcessingException e) {
        // SnakeYAML knows where the problem is; Jackson's own location can point at an earlier token.
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            String context = m.getContext() == null ? "" : " (" + m.getContext()
                    + (m.getContextMark() == null ? "" : " started at line " + (m.getContextMark().getLine() + 1)) + ")";
            return "not valid YAML at line " + (m.getProblemMark().getLine() + 1) + ", column "
                    + (m.getProblemMark().getColumn() + 1) + ": " + m.getProblem() + context;
        }
        return "not valid YAML" + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                + ", column " + e.getLocation().getColumnNr()) + ": " + e.getOriginalMessage();
    }

    /**
     * Substitutes {@code ${ENV}} inside string values of the parsed tree, never in comments or keys, so a
     * variable can neither change the document's structure nor be required by a commented-out line.
     */
    private void substituteEnv(JsonNode node, String path, ConfigErrors errors) {
        if (node instanceof ObjectNode obj) {
            List<String> names = new ArrayList<>();
            obj.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = obj.get(name);
                String childPath = path.isEmpty() ? name : path + "." + name;
                if (child.isTextual() && child.textValue().indexOf('$') >= 0) {
                    obj.put(name, substituteEnv(child.textValue(), childPath, errors));
                } else {
                    substituteEnv(child, childPath, errors);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                JsonNode child = arr.get(i);
                String childPath = path + "[" + i + "]";
                if (child.isTextual() && child.textValue().indexOf('$') >= 0) {
                    arr.set(i, JsonNodeFactory.instance.textNode(substituteEnv(child.textValue(), childPath, errors)));
                } else {
                    substituteEnv(child, childPath, errors);
                }
            }
        }
    }

    // VisibleForTesting
    String substituteEnv(String text, ConfigErrors errors) {
        return substituteEnv(text, "", errors);
    }

    private String substituteEnv(String text, String key, ConfigErrors errors) {
        Matcher m = ENV_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String value = env.get(m.group(1));
                if ((value == null || value.isEmpty()) && m.group(2) != null) {
                    value = m.group(2); // as in the shell, ${VAR:-default} also replaces an empty VAR
                }
                if (value == null) {
                    errors.add(key, "environment variable " + m.group(1) + " is not set (use ${"
                            + m.group(1) + ":-default} for a fallback)");
                    value = "";
                }
                replacement = value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Applies one {@code --set}; false (with an error) when it cannot be applied. */
    private boolean applyOverride(ObjectNode root, String override, ConfigErrors errors) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            errors.add("--set " + override, "must be key=value, e.g. --set debug.listen=127.0.0.1:9900");
            return false;
        }
        String key = override.substring(0, eq);
        JsonNode value;
        try {
            value = yaml.readTree(override.substring(eq + 1));
            if (value == null || value.isMissingNode()) {
                value = JsonNodeFactory.instance.nullNode();
            }
        } catch (JsonProcessingException e) {
            value = JsonNodeFactory.instance.textNode(override.substring(eq + 1));
        }
        String[] parts = key.split("\\.");
        JsonNode current = root;
        for (int i = 0; i < parts.length; i++) {
            Matcher m = OVERRIDE_PATH.matcher(parts[i]);
            if (!m.matches()) {
                errors.add("--set " + key, "invalid key path");
                return false;
            }
            boolean last = i == parts.length - 1;
            ObjectNode obj = (ObjectNode) current;
            String name = m.group(1);
            if (m.group(2) == null) {
                if (last) {
                    obj.set(name, value);
                } else {
                    current = obj.get(name) instanceof ObjectNode o ? o : obj.putObject(name);
                }
            } else {
                int index = Integer.parseInt(m.group(2));
                int size = obj.get(name) instanceof ArrayNode a ? a.size() : 0;
                if (index > size) {
                    String list = String.join(".", Arrays.copyOf(parts, i)) + (i == 0 ? "" : ".") + name;
                    errors.add("--set " + key, "index " + index + " is past the end: " + list + " has " + size
                            + (size == 1 ? " item" : " items") + " (use index " + size + " to append)");
                    return false;
                }
                ArrayNode arr = obj.get(name) instanceof ArrayNode a ? a : obj.putArray(name);
                if (index == arr.size()) {
                    arr.addObject();
                }
                if (last) {
                    arr.set(index, value);
                } else {
                    if (!(arr.get(index) instanceof ObjectNode)) {
                        arr.set(index, JsonNodeFactory.instance.objectNode());
                    }
                    current = arr.get(index);
                }
            }
        }
        return true;
    }

    private AgentConfig bind(ConfigNode root) {
        String nodeName = root.string("nodeName", null);
        if (nodeName == null) {
            nodeName = defaultNodeName(); // only now: the host name lookup can wait on DNS
        }
        if (nodeName.isBlank()) {
            root.error("nodeName", "must not be empty (it becomes the node label of every series)");
        }
        String zone = root.string("zone", "");
        Duration interval = root.duration("interval", Duration.ofSeconds(15), Duration.ofSeconds(1));
        // Capped at the interval rather than rejected, so that a configuration valid at one interval
        // (--set interval=5s) stays valid at another.
        Duration exporterTimeout = min(root.duration("exporterTimeout", min(interval, MAX_DEFAULT_EXPORTER_TIMEOUT),
                Duration.ofMillis(100)), interval);
        int maxLabelValueBytes = root.integer("maxLabelValueBytes", DEFAULT_MAX_LABEL_VALUE_BYTES, 16, 1 << 20);

        List<RemoteWriteConfig> remoteWrite = new ArrayList<>();
        java.util.Set<String> endpointNames = new java.util.HashSet<>();
        for (ConfigNode rw : root.list("remoteWrite")) {
            RemoteWriteConfig c = remoteWrite(rw);
            if (!c.name().isEmpty() && !endpointNames.add(c.name())) {
                rw.error("name", "'" + c.name() + "' names another endpoint too; give each endpoint a unique name");
            }
            remoteWrite.add(c);
        }
        ConfigNode lf = root.child("localFile");
        LocalFileConfig localFile = new LocalFileConfig(lf.path("path", LocalFileConfig.DEFAULT.path()));
        lf.finish();

        ConfigNode dbg = root.child("debug");
        DebugConfig debug = new DebugConfig(dbg.bool("enabled", DebugConfig.DEFAULT.enabled()),
                dbg.hostPort("listen", DebugConfig.DEFAULT.listen()), dbg.bool("pages", DebugConfig.DEFAULT.pages()),
                dbg.bool("pagesLoopbackOnly", DebugConfig.DEFAULT.pagesLoopbackOnly()));
        dbg.finish();

        ConfigNode k8s = root.child("kubernetes");
        KubernetesConfig kubernetes = new KubernetesConfig(k8s.bool("enabled", KubernetesConfig.DEFAULT.enabled()),
                k8s.string("podName", env.getOrDefault("POD_NAME", "")),
                k8s.string("podNamespace", env.getOrDefault("POD_NAMESPACE", "")));
        if (kubernetes.podName().isEmpty() != kubernetes.podNamespace().isEmpty()) {
            k8s.error(kubernetes.podName().isEmpty() ? "podName" : "podNamespace",
                    "podName and podNamespace must be given together");
        }
        k8s.finish();

        List<StaticPod> pods = new ArrayList<>();
        for (ConfigNode p : root.list("pods")) {
            pods.add(staticPod(p));
        }

        ClassificationConfig classification = classification(root.child("classification"));
        List<LoadBalancer> loadBalancers = loadBalancers(root);
        PricingConfig pricing = PricingConfig.parse(root.child("pricing"));
        LabelsConfig labels = LabelsConfig.parse(root.child("labels"));
        Map<String, String> externalLabels = externalLabels(root);
        Path dataDir = root.path("dataDir", AgentConfig.DEFAULT_DATA_DIR);
        AwsConfig aws = AwsConfig.parse(root.child("aws"));

        Map<String, Object> exporters = new LinkedHashMap<>();
        Set<String> exporterKeys = new HashSet<>();
        for (ExporterFactory<?> f : factories) {
            if (CORE_KEYS.contains(f.configKey())) {
                throw new IllegalStateException("BUG: exporter config key '" + f.configKey() + "' clashes with a core key");
            }
            if (!exporterKeys.add(f.configKey())) {
                throw new IllegalStateException("BUG: two exporter factories claim the config key '" + f.configKey() + "'");
            }
            ConfigNode section = root.child(f.configKey());
            Object parsed = f.parseConfig(section);
            section.finish();
            exporters.put(f.configKey(), Objects.requireNonNull(parsed, "parsed config of " + f.configKey()));
        }
        root.finish();
        return new AgentConfig(nodeName, zone, interval, exporterTimeout, remoteWrite, localFile, debug,
                kubernetes, pods, classification, loadBalancers, exporters, pricing, labels, externalLabels, dataDir, aws,
                maxLabelValueBytes);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ClassificationConfig classification(ConfigNode n) {
        Map<String, List<Cidr>> zones = new LinkedHashMap<>();
        Map<Cidr, String> zoneOf = new HashMap<>();
        ConfigNode z = n.child("zones");
        for (String zone : z.unreadKeys()) {
            String key = "zones." + zone;
            if (zone.isBlank()) {
                n.error(key, "a zone name must not be empty");
            }
            List<Cidr> cidrs = new ArrayList<>();
            int before = n.errors().problems().size();
            List<String> texts = z.stringList(zone);
            if (texts.isEmpty() && n.errors().problems().size() == before) {
                n.error(key, "must list at least one CIDR, e.g. [10.0.0.0/19]");
            }
            for (int i = 0; i < texts.size(); i++) {
                Cidr c = cidr(n, key + "[" + i + "]", texts.get(i));
                if (c == null) {
                    continue;
                }
                String other = zoneOf.putIfAbsent(c, zone);
                if (other != null) {
                    n.error(key + "[" + i + "]", c + " is already listed under zone '" + other
                            + "'; a CIDR can be in one zone only");
                } else {
                    cidrs.add(c);
                }
            }
            zones.put(zone, cidrs);
        }
        List<Cidr> vpc = new ArrayList<>();
        List<String> texts = n.stringList("vpc");
        for (int i = 0; i < texts.size(); i++) {
            Cidr c = cidr(n, "vpc[" + i + "]", texts.get(i));
            if (c != null && vpc.contains(c)) {
                n.error("vpc[" + i + "]", c + " is listed twice");
            } else if (c != null) {
                vpc.add(c);
            }
        }
        n.finish();
        return new ClassificationConfig(zones, vpc);
    }

    /** A CIDR with no host bits set, or null (with an error). */
    private static Cidr cidr(ConfigNode n, String key, String text) {
        Cidr c;
        try {
            c = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            n.error(key, e.getMessage() + " (expected a CIDR such as 10.0.0.0/19 or 2600:1f16::/56)");
            return null;
        }
        String t = text.trim();
        if (t.indexOf('/') < 0) {
            n.error(key, "'" + text + "' has no prefix length; write " + c + " for a single address");
            return null;
        }
        if (!Cidr.parse(t.substring(0, t.indexOf('/'))).equals(new Cidr(c.address(), c.address().length * 8))) {
            n.error(key, "'" + text + "' has host bits set; did you mean " + c + "?");
            return null;
        }
        return c;
    }

    private static RemoteWriteConfig remoteWrite(ConfigNode n) {
        URI url = n.httpUrl("url", true);
        String name = n.string("name", url == null ? "" : url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : ""));
        Path token = n.path("bearerTokenFile", null);

        RemoteWriteConfig.BasicAuth basic = null;
        ConfigNode ba = n.child("basicAuth");
        if (ba.isPresent()) {
            basic = new RemoteWriteConfig.BasicAuth(ba.requiredString("username"), ba.path("passwordFile", null));
            if (basic.passwordFile() == null) {
                ba.error("passwordFile", "is required (passwords are read from a file, never from the config)");
            }
        }
        ba.finish();
        if (token != null && basic != null) {
            n.error("basicAuth", "cannot be combined with bearerTokenFile");
        }

        ConfigNode t = n.child("tls");
        RemoteWriteConfig.TlsConfig tls = new RemoteWriteConfig.TlsConfig(t.path("caFile", null),
                t.path("certFile", null), t.path("keyFile", null), t.bool("insecureSkipVerify", false));
        if ((tls.certFile() == null) != (tls.keyFile() == null)) {
            t.error(tls.certFile() == null ? "certFile" : "keyFile", "certFile and keyFile must be given together");
        }
        t.finish();

        Map<String, String> headers = n.stringMap("headers");
        for (String h : headers.keySet()) {
            if (RESERVED_HEADERS.contains(h.toLowerCase(java.util.Locale.ROOT))) {
                n.error("headers." + h, "is set by the remote-write protocol and cannot be overridden");
            }
        }
        Duration timeout = n.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(100));
        SigV4Config sigv4 = remoteWriteSigV4(n, url, token, basic, headers);

        RemoteWriteConfig.QueueConfig d = RemoteWriteConfig.QueueConfig.DEFAULT;
        ConfigNode q = n.child("queue");
        RemoteWriteConfig.QueueConfig queue = new RemoteWriteConfig.QueueConfig(
                q.integer("capacity", d.capacity(), 1, 100_000_000),
                q.integer("shards", d.shards(), 1, 64),
                q.integer("maxSamplesPerSend", d.maxSamplesPerSend(), 1, 1_000_000),
                q.bytes("maxBytesPerSend", d.maxBytesPerSend(), 1024),
                q.duration("batchDeadline", d.batchDeadline(), Duration.ofMillis(1)),
                q.duration("minBackoff", d.minBackoff(), Duration.ofMillis(1)),
                q.duration("maxBackoff", d.maxBackoff(), Duration.ofMillis(1)))
                .withDisk(q.bool("durable", d.durable()),
                        q.bytes("maxDiskBytes", d.maxDiskBytes(), 1L << 20),
                        q.duration("maxAge", d.maxAge(), Duration.ofMinutes(1)),
                        q.integer("maxCatchupSamplesPerSecond", d.maxCatchupSamplesPerSecond(), 100, 100_000_000),
                        fsync(q, d.fsync()),
                        q.duration("fsyncInterval", d.fsyncInterval(), Duration.ofMillis(10)));
        if (queue.minBackoff().compareTo(queue.maxBackoff()) > 0) {
            q.error("minBackoff", "must not exceed maxBackoff");
        }
        q.finish();
        n.finish();
        return new RemoteWriteConfig(name, url, token, basic, tls, headers, timeout, queue, sigv4);
    }

    /** {@code remoteWrite[].sigv4}: SigV4 signs the Authorization header, so no other auth can be given. */
    private static SigV4Config remoteWriteSigV4(ConfigNode n, URI url, Path token, RemoteWriteConfig.BasicAuth basic,
            Map<String, String> headers) {
        ConfigNode s = n.child("sigv4");
        if (!s.isPresent()) {
            s.finish();
            return null;
        }
        SigV4Config c = sigv4(s);
        if (token != null) {
            n.error("sigv4", "cannot be combined with bearerTokenFile (SigV4 writes the Authorization header"
                    + " itself); remove one of them");
        }
        if (basic != null) {
            n.error("sigv4", "cannot be combined with basicAuth (SigV4 writes the Authorization header"
                    + " itself); remove one of them");
        }
        for (String h : headers.keySet()) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("x-amz-")) {
                n.error("headers." + h, "is set by SigV4 signing and cannot be given with sigv4");
            }
        }
        String wrongRegion = c == null ? null : c.problemWith(url);
        if (wrongRegion != null) {
            s.error("region", wrongRegion);
        }
        return c;
    }

    /**
     * A {@code sigv4} mapping ({@code region} required, {@code service} default {@code aps}, optional
     * {@code roleArn}), or null with its errors reported. Finishes {@code s}. The rules are
     * {@link SigV4Config#parse}'s, which the report's {@code --sigv4-*} options share.
     */
    public static SigV4Config sigv4(ConfigNode s) {
        String region = s.string("region", null);
        String service = s.string("service", null);
        String roleArn = s.string("roleArn", null);
        SigV4Config c = SigV4Config.parse(region, service, roleArn,
                new SigV4Config.Names("region", "service", "roleArn"), s::error);
        s.finish();
        return c;
    }

    private static RemoteWriteConfig.Fsync fsync(ConfigNode q, RemoteWriteConfig.Fsync def) {
        String text = q.string("fsync", def.label());
        RemoteWriteConfig.Fsync f = RemoteWriteConfig.Fsync.fromLabel(text);
        if (f == null) {
            q.error("fsync", "must be batch, interval or never, got '" + text + "'");
            return def;
        }
        return f;
    }

    /** Headers the sender always sets itself; users' {@code headers} may not name them. */
    public static final Set<String> RESERVED_HEADERS = Set.of("content-encoding", "content-type",
            "x-prometheus-remote-write-version", "user-agent", "content-length", "host", "authorization");

    private static StaticPod staticPod(ConfigNode p) {
        String ns = p.requiredString("namespace");
        String name = p.requiredString("name");
        String ip = p.requiredString("ip");
        if (ip != null && IpLiteral.parse(ip) == null) {
            p.error("ip", "must be an IPv4 or IPv6 address, got '" + ip + "'");
        }
        int pid = p.integer("pid", 0, 1, Integer.MAX_VALUE);
        Path netns = p.path("netns", null);
        if (pid > 0 && netns != null) {
            p.error("netns", "give either pid or netns, not both");
        }
        StaticPod pod = new StaticPod(ns, name, ip, p.string("workload", name), p.string("workloadKind", "Pod"),
                p.stringMap("labels"), pid, netns);
        p.finish();
        return pod;
    }

    /** {@code loadBalancers[]}: each name once, each address in one load balancer only. */
    private static List<LoadBalancer> loadBalancers(ConfigNode root) {
        List<LoadBalancer> out = new ArrayList<>();
        Map<String, String> owner = new HashMap<>();
        Set<String> names = new HashSet<>();
        List<ConfigNode> items = root.list("loadBalancers");
        for (int i = 0; i < items.size(); i++) {
            ConfigNode lb = items.get(i);
            String name = lb.requiredString("name");
            if (name != null && !names.add(name)) {
                lb.error("name", "'" + name + "' is listed twice; give each load balancer once, with all its addresses");
            }
            String typeText = lb.string("type", LoadBalancerType.APPLICATION.label());
            LoadBalancerType type = LoadBalancerType.fromLabel(typeText);
            if (type == null) {
                lb.error("type", "must be application or network, got '" + typeText + "'");
            }
            String id = lb.string("id", "");
            List<LoadBalancer.Address> addresses = new ArrayList<>();
            List<ConfigNode> addrs = lb.list("addresses");
            if (addrs.isEmpty()) {
                lb.error("addresses", "must list at least one address, e.g. [{ip: 10.0.1.50, zone: us-east-2a}]");
            }
            for (ConfigNode a : addrs) {
                String ip = a.requiredString("ip");
                String zone = a.string("zone", "");
                if (ip != null && IpLiteral.parse(ip.trim()) == null) {
                    a.error("ip", "must be an IPv4 or IPv6 address, got '" + ip + "'");
                } else if (ip != null) {
                    String text = ip.trim();
                    // Keyed by the address bytes, so that fd00::1 and fd00:0::1 are the same address.
                    String key = java.util.HexFormat.of().formatHex(IpLiteral.parse(text));
                    String other = owner.putIfAbsent(key, name == null ? "loadBalancers[" + i + "]" : name);
                    if (other != null) {
                        a.error("ip", text + " is already an address of '" + other
                                + "'; an address belongs to one load balancer");
                    }
                    addresses.add(new LoadBalancer.Address(text, zone));
                }
                a.finish();
            }
            LoadBalancer.Targets targets = loadBalancerTargets(lb);
            lb.finish();
            if (name != null && type != null && !addresses.isEmpty()) {
                out.add(new LoadBalancer(name, type, id, addresses, targets));
            }
        }
        return out;
    }

    /**
     * {@code loadBalancers[].targets}: absent, every pod may be a target; else a non-empty list of
     * {@code {namespace, selector}} (selector: labels a target pod carries, all of them; absent or empty,
     * every pod of the namespace).
     */
    private static LoadBalancer.Targets loadBalancerTargets(ConfigNode lb) {
        if (!lb.has("targets")) {
            return LoadBalancer.Targets.UNKNOWN;
        }
        int problems = lb.errors().problems().size();
        List<ConfigNode> items = lb.list("targets");
        if (items.isEmpty() && lb.errors().problems().size() == problems) { // not a list: reported already
            lb.error("targets", "must list at least one {namespace, selector}; leave targets out to count every pod");
        }
        List<LoadBalancer.Target> targets = new ArrayList<>();
        for (ConfigNode t : items) {
            String namespace = t.requiredString("namespace");
            Map<String, String> selector = t.stringMap("selector");
            for (Map.Entry<String, String> e : selector.entrySet()) {
                if (e.getKey().isBlank()) {
                    t.error("selector", "has an empty label name");
                }
            }
            t.finish();
            if (namespace != null) {
                targets.add(new LoadBalancer.Target(namespace, selector));
            }
        }
        return LoadBalancer.Targets.of(targets);
    }

    /**
     * {@code externalLabels}: the defaults ({@code job: netcost}) overlaid with the file's map; an empty
     * value removes a label. Names follow Prometheus' rules and may not be reserved ({@code __*}).
     */
    private static Map<String, String> externalLabels(ConfigNode root) {
        Map<String, String> out = new java.util.TreeMap<>(DEFAULT_EXTERNAL_LABELS);
        for (Map.Entry<String, String> e : root.stringMap("externalLabels").entrySet()) {
            String name = e.getKey();
            if (!dev.netcost.core.model.Labels.isValidLabelName(name) || name.startsWith("__")) {
                root.error("externalLabels." + name, "is not a valid label name: it must match [a-zA-Z_][a-zA-Z0-9_]*"
                        + " and not start with __");
            } else if (e.getValue().isEmpty()) {
                out.remove(name);
            } else {
                out.put(name, e.getValue());
            }
        }
        return out;
    }

    private String defaultNodeName() {
        String fromEnv = env.get("NODE_NAME");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
