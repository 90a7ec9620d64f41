package dev.netcost.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.spi.ExporterFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The chart rendered by real Helm (helm-java bundles Helm's library), parsed into fabric8 objects. */
final class Chart {
    static final Path DIR = Path.of("netcost-agent");
    /**
     * What the tests render: a copy of {@link #DIR} without its kubeVersion line, because helm-java's
     * template and lint run with Helm's default capabilities (Kubernetes v1.20) and take no --kube-version.
     */
    static final Path RENDERED = copyWithoutKubeVersion(Path.of("target", "chart-under-test", "netcost-agent"));
    static final String RELEASE = "netcost";
    static final String NAMESPACE = "netcost-system";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<HasMetadata> objects;
    private final String yaml;

    private Chart(String yaml) {
        this.yaml = yaml;
        this.objects = parse(yaml);
    }

    /** The values a user must give (image.repository, cluster); every render in the tests starts from them. */
    static final String REQUIRED = """
            cluster: prod-us-east-2
            image: {repository: 123456789012.dkr.ecr.us-east-2.amazonaws.com/netcost-agent}
            """;

    /** Renders with the {@link #REQUIRED} values, then {@code values} (a YAML document, may be empty) and {@code set} pairs. */
    static Chart render(Path tmp, String values, Map<String, Object> set) throws IOException {
        return render(tmp, RELEASE, REQUIRED, values, set);
    }

    /** Renders release {@code release} with only {@code values} and {@code set} (required values not added). */
    static Chart render(Path tmp, String release, String base, String values, Map<String, Object> set) throws IOException {
        TemplateCommand t = new Helm(RENDERED).template().withName(release).withNamespace(NAMESPACE)
                .withValuesFile(write(tmp, base)).withValuesFile(write(tmp, values));
        set.forEach(t::set);
        return new Chart(t.call());
    }

    /** Copies the chart to {@code to} (replacing what is there), without Chart.yaml's kubeVersion line. */
    static Path copyWithoutKubeVersion(Path to) {
        try {
            if (Files.exists(to)) {
                try (java.util.stream.Stream<Path> old = Files.walk(to)) {
                    for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            try (java.util.stream.Stream<Path> files = Files.walk(DIR)) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(DIR.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(f, target);
                    }
                }
            }
            Path chartYaml = to.resolve("Chart.yaml");
            Files.writeString(chartYaml, Files.readString(chartYaml).replaceAll("(?m)^kubeVersion:.*\\n", ""));
            return to;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path write(Path tmp, String values) throws IOException {
        Path file = Files.createTempFile(tmp, "values", ".yaml");
        Files.writeString(file, values, StandardCharsets.UTF_8);
        return file;
    }

    String yaml() {
        return yaml;
    }

    List<HasMetadata> all() {
        return objects;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String nameSuffix) {
        List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().endsWith(nameSuffix)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + " named *" + nameSuffix + ", found "
                    + found.size() + " in:\n" + yaml);
        }
        return found.get(0);
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String nameSuffix) {
        return all(type).stream().filter(o -> o.getMetadata().getName().endsWith(nameSuffix)).findFirst();
    }

    /** The netcost.yaml of the ConfigMap named {@code *nameSuffix}, read by the agent's own loader. */
    AgentConfig agentConfig(String nameSuffix) {
        List<ExporterFactory<?>> factories = new ArrayList<>();
        ServiceLoader.load(ExporterFactory.class).forEach(factories::add);
        return new ConfigLoader(Map.of("NODE_NAME", "node-1", "NODE_IP", "10.0.1.2",
                "POD_NAME", "netcost-x7k2p", "POD_NAMESPACE", NAMESPACE), factories)
                .loadString(one(ConfigMap.class, nameSuffix).getData().get("netcost.yaml"));
    }

    List<GenericKubernetesResource> generic(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(g -> g.getKind().equals(kind)).toList();
    }

    private static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> out = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue;
            }
            out.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
        return out;
    }
}
