package dev.netcost.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ObjectStoreTest {
    private static final ObjectKey A = new ObjectKey("ns", "a");
    private static final ObjectKey B = new ObjectKey("ns", "b");

    private final ObjectStore<String> store = new ObjectStore<>("test", new AtomicLong(), true);

    private static Map<ObjectKey, ObjectStore.Recorded<String>> list(Object... keyStateRv) {
        java.util.HashMap<ObjectKey, ObjectStore.Recorded<String>> m = new java.util.HashMap<>();
        for (int i = 0; i < keyStateRv.length; i += 3) {
            m.put((ObjectKey) keyStateRv[i], new ObjectStore.Recorded<>((String) keyStateRv[i + 1],
                    (Long) keyStateRv[i + 2], 0));
        }
        return m;
    }

    @Test
    void list_addsMissingObjects_andReplacesOnlyOlderVersions() {
        store.admit(A, "admitted-a", 10);
        long start = store.beginList();
        int changes = store.reconcile(start, list(A, "listed-a", 10L, B, "listed-b", 5L));

        assertThat(store.get(A)).as("same version: the admission stays").isEqualTo("admitted-a");
        assertThat(store.get(B)).isEqualTo("listed-b");
        assertThat(changes).isEqualTo(1);

        store.reconcile(store.beginList(), list(A, "listed-a-11", 11L, B, "listed-b", 5L));
        assertThat(store.get(A)).as("newer version wins").isEqualTo("listed-a-11");
    }

    @Test
    void admissionWithoutVersion_isReplacedByAnyListedVersion() {
        store.admit(A, "created", -1);
        store.reconcile(store.beginList(), list(A, "persisted", 3L));
        assertThat(store.get(A)).isEqualTo("persisted");
    }

    @Test
    void list_deletesObjectsItLacks_recordedBeforeItBegan() {
        store.admit(A, "a", 1);
        long start = store.beginList();
        store.admit(B, "b-admitted-during-list", -1);
        store.reconcile(start, list());

        assertThat(store.get(A)).isNull();
        assertThat(store.get(B)).as("admitted while the list ran").isEqualTo("b-admitted-during-list");
    }

    @Test
    void admittedDelete_isNotUndoneByAListTakenBefore_butARecreationIsSeen() {
        store.admit(A, "a", 7);
        long start = store.beginList();
        store.admitDelete(A, 7);
        store.reconcile(start, list(A, "stale-a", 7L));
        assertThat(store.get(A)).isNull();
        assertThat(store.tombstones()).as("kept until a list that began after the delete").isEqualTo(1);

        store.reconcile(store.beginList(), list(A, "recreated", 9L));
        assertThat(store.get(A)).isEqualTo("recreated");
        assertThat(store.tombstones()).isZero();
    }

    @Test
    void withoutLists_deletesLeaveNoTombstones() {
        ObjectStore<String> standalone = new ObjectStore<>("test", new AtomicLong(), false);
        standalone.admit(A, "a", 1);
        standalone.admitDelete(A, 1);
        assertThat(standalone.size()).isZero();
        assertThat(standalone.tombstones()).isZero();
    }
}
