package dev.netcost.webhook;

import java.util.Objects;

/**
 * Names one recorded object; cluster-scoped objects (IngressClass, IngressClassParams) have an empty
 * namespace. Namespaces are interned: there are few of them and many objects share each.
 */
record ObjectKey(String namespace, String name) {
    ObjectKey {
        namespace = Objects.requireNonNull(namespace, "namespace").intern();
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
