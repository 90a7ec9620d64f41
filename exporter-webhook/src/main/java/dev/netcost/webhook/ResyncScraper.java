package dev.netcost.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists Ingresses, Services, IngressClasses and (when the AWS Load Balancer Controller's CRD exists)
 * IngressClassParams from the API, page by page, and reconciles each kind with what admissions
 * recorded (see {@link ObjectStore}): a webhook with {@code failurePolicy: Ignore} misses calls, and
 * sees nothing of what existed before it started.
 *
 * <p>Listed objects go through the same {@link ResourceParser} as admitted ones (as JSON), so both
 * paths record the same state.
 */
final class ResyncScraper {
    private static final Logger log = LoggerFactory.getLogger(ResyncScraper.class);
    static final long PAGE_SIZE = 500;
    static final String PARAMS_API_VERSION = IngressClassState.AWS_PARAMS_GROUP + "/v1beta1";
    private static final ResourceDefinitionContext PARAMS = new ResourceDefinitionContext.Builder()
            .withGroup(IngressClassState.AWS_PARAMS_GROUP).withVersion("v1beta1")
            .withKind(IngressClassState.AWS_PARAMS_KIND).withPlural("ingressclassparams").withNamespaced(false).build();

    private final KubernetesClient client;
    private final ResourceParser parser;
    private final RecordedObjects objects;
    private final ObjectMapper json = new ObjectMapper();
    private boolean paramsMissingLogged;

    ResyncScraper(KubernetesClient client, ResourceParser parser, RecordedObjects objects) {
        this.client = client;
        this.parser = parser;
        this.objects = objects;
    }

    /** Lists and reconciles every kind; throws when the API cannot be listed (the next resync retries). */
    synchronized void resync() throws IOException {
        long start = System.nanoTime();
        int ingresses = reconcile(objects.ingresses, o -> client.network().v1().ingresses().inAnyNamespace().list(o),
                parser::ingress);
        int services = reconcile(objects.services, o -> client.services().inAnyNamespace().list(o), parser::service);
        int classes = reconcile(objects.ingressClasses, o -> client.network().v1().ingressClasses().list(o),
                (n, ns) -> parser.ingressClass(n));
        int params = 0;
        try {
            params = reconcile(objects.ingressClassParams,
                    o -> client.genericKubernetesResources(PARAMS).list(o),
                    (n, ns) -> parser.ingressClassParams(n));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
            if (!paramsMissingLogged) {
                paramsMissingLogged = true;
                log.info("no IngressClassParams in this cluster ({} not served): groups come from annotations only",
                        PARAMS_API_VERSION);
            }
        }
        log.info("resync: {} ingresses, {} services, {} ingress classes, {} IngressClassParams recorded"
                        + " ({} changes) in {} ms", objects.ingresses.size(), objects.services.size(),
                objects.ingressClasses.size(), objects.ingressClassParams.size(),
                ingresses + services + classes + params, (System.nanoTime() - start) / 1_000_000);
    }

    private <R extends HasMetadata, T> int reconcile(ObjectStore<T> store,
                                                     Function<ListOptions, ? extends KubernetesResourceList<R>> list,
                                                     BiFunction<JsonNode, String, T> parse) throws IOException {
        long listStart = store.beginList();
        Map<ObjectKey, ObjectStore.Recorded<T>> listed = new HashMap<>();
        String cont = null;
        do {
            KubernetesResourceList<R> page = list.apply(new ListOptionsBuilder().withLimit(PAGE_SIZE)
                    .withContinue(cont).build());
            for (R item : page.getItems()) {
                JsonNode tree = json.readTree(client.getKubernetesSerialization().asJson(item));
                T state = parse.apply(tree, "");
                ObjectKey key = ResourceParser.key(tree, "");
                if (state != null) {
                    listed.put(key, new ObjectStore.Recorded<>(state, ResourceParser.resourceVersion(tree), 0));
                }
            }
            cont = page.getMetadata() == null ? null : page.getMetadata().getContinue();
        } while (cont != null && !cont.isEmpty());
        return store.reconcile(listStart, listed);
    }
}
