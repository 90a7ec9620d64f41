package dev.netcost.webhook;

import java.util.concurrent.atomic.AtomicLong;

/** Everything the webhook has recorded, one store per kind, sharing one logical clock. */
final class RecordedObjects {
    private final AtomicLong sequence = new AtomicLong();
    final ObjectStore<IngressState> ingresses;
    final ObjectStore<ServiceState> services;
    final ObjectStore<IngressClassState> ingressClasses;
    final ObjectStore<IngressClassParamsState> ingressClassParams;

    /** @param listsReconcile whether periodic lists run (then deletes leave tombstones) */
    RecordedObjects(boolean listsReconcile) {
        ingresses = new ObjectStore<>("ingress", sequence, listsReconcile);
        services = new ObjectStore<>("service", sequence, listsReconcile);
        ingressClasses = new ObjectStore<>("ingressclass", sequence, listsReconcile);
        ingressClassParams = new ObjectStore<>("ingressclassparams", sequence, listsReconcile);
    }
}
