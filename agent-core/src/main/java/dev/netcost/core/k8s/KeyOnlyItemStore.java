package dev.netcost.core.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer store that keeps only each object's key and resource version, because netcost reduces
 * every object to its own index as events arrive: a cluster's EndpointSlices would otherwise be held
 * twice, once in full. Objects read back are skeletons (namespace, name, resource version) — enough for
 * the informer to tell updates from no-ops and to report deletions after a relist. Not a full-state
 * store, so the informer hands out the listed objects themselves on the initial list.
 */
final class KeyOnlyItemStore<T extends HasMetadata> implements ItemStore<T> {
    private final Map<String, String> versions = new ConcurrentHashMap<>();
    private final Supplier<T> skeleton;

    KeyOnlyItemStore(Supplier<T> skeleton) {
        this.skeleton = skeleton;
    }

    @Override
    public String getKey(T obj) {
        return Cache.metaNamespaceKeyFunc(obj);
    }

    @Override
    public T put(String key, T obj) {
        String rv = obj.getMetadata() == null ? null : obj.getMetadata().getResourceVersion();
        return restore(key, versions.put(key, rv == null ? "" : rv));
    }

    @Override
    public T remove(String key) {
        return restore(key, versions.remove(key));
    }

    @Override
    public Stream<String> keySet() {
        return versions.keySet().stream();
    }

    @Override
    public Stream<T> values() {
        return versions.entrySet().stream().map(e -> restore(e.getKey(), e.getValue()));
    }

    @Override
    public int size() {
        return versions.size();
    }

    @Override
    public T get(String key) {
        return restore(key, versions.get(key));
    }

    @Override
    public boolean isFullState() {
        return false;
    }

    private T restore(String key, String resourceVersion) {
        if (resourceVersion == null) {
            return null;
        }
        int slash = key.indexOf('/');
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(slash < 0 ? null : key.substring(0, slash));
        meta.setName(slash < 0 ? key : key.substring(slash + 1));
        meta.setResourceVersion(resourceVersion.isEmpty() ? null : resourceVersion);
        T obj = skeleton.get();
        obj.setMetadata(meta);
        return obj;
    }
}
