package dev.netcost.webhook;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The recorded objects of one kind, fed by admissions and reconciled with periodic lists.
 *
 * <p>Rules, so that neither source overwrites newer news from the other:
 * <ul>
 *   <li>An admission is the latest change in real time: it always replaces (or deletes) the object.</li>
 *   <li>A listed object replaces the recorded one only when its {@code resourceVersion} is newer (an
 *       admitted UPDATE carries the version it started from, so a list taken before that change
 *       never undoes it).</li>
 *   <li>An object missing from a list is deleted only when it was recorded before the list began;
 *       one admitted while the list ran is kept.</li>
 *   <li>An admitted DELETE leaves a tombstone (when lists are in use) so that a list taken just
 *       before the delete cannot bring the object back; tombstones end with the next list.</li>
 * </ul>
 * Thread-safe: admissions arrive on several threads while a list is reconciled.
 *
 * @param <T> the reduced state kept per object
 */
final class ObjectStore<T> {
    /** One recorded object: its state, its resourceVersion (-1 unknown) and when it was recorded. */
    record Recorded<T>(T state, long resourceVersion, long seq) {
    }

    private record Tombstone(long resourceVersion, long seq) {
    }

    private final String kind;
    private final AtomicLong sequence;
    private final boolean tombstones;
    private final ConcurrentHashMap<ObjectKey, Recorded<T>> objects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ObjectKey, Tombstone> deleted = new ConcurrentHashMap<>();

    /**
     * @param kind       for messages and meters: {@code ingress}, {@code service}, ...
     * @param sequence   shared logical clock ordering admissions and lists
     * @param tombstones keep tombstones for deletes (only useful when lists reconcile)
     */
    ObjectStore(String kind, AtomicLong sequence, boolean tombstones) {
        this.kind = kind;
        this.sequence = sequence;
        this.tombstones = tombstones;
    }

    String kind() {
        return kind;
    }

    /** An admitted CREATE or UPDATE. */
    void admit(ObjectKey key, T state, long resourceVersion) {
        long seq = sequence.incrementAndGet();
        objects.put(key, new Recorded<>(state, resourceVersion, seq));
        deleted.remove(key);
    }

    /** An admitted DELETE; {@code resourceVersion} is the deleted object's last one (-1 unknown). */
    void admitDelete(ObjectKey key, long resourceVersion) {
        long seq = sequence.incrementAndGet();
        Recorded<T> old = objects.remove(key);
        if (tombstones) {
            long rv = Math.max(resourceVersion, old == null ? -1 : old.resourceVersion());
            deleted.put(key, new Tombstone(rv, seq));
        }
    }

    /** Marks the start of a list: pass the result to {@link #reconcile}. */
    long beginList() {
        return sequence.incrementAndGet();
    }

    /**
     * Applies a complete list started at {@code listStart}: newer versions replace, objects the list
     * does not have and that were recorded before it began are deleted.
     *
     * @return how many objects were added, replaced or deleted
     */
    int reconcile(long listStart, Map<ObjectKey, Recorded<T>> listed) {
        int changes = 0;
        for (Map.Entry<ObjectKey, Recorded<T>> e : listed.entrySet()) {
            ObjectKey key = e.getKey();
            Recorded<T> item = e.getValue();
            Tombstone t = deleted.get(key);
            if (t != null && item.resourceVersion() <= t.resourceVersion()) {
                continue; // deleted by an admission after this list's snapshot
            }
            boolean[] changed = {false};
            objects.compute(key, (k, current) -> {
                if (current == null || current.resourceVersion() < item.resourceVersion()) {
                    changed[0] = true;
                    return new Recorded<>(item.state(), item.resourceVersion(), listStart);
                }
                return current;
            });
            if (changed[0]) {
                changes++;
            }
        }
        List<ObjectKey> gone = new ArrayList<>();
        for (Map.Entry<ObjectKey, Recorded<T>> e : objects.entrySet()) {
            if (!listed.containsKey(e.getKey()) && e.getValue().seq() < listStart) {
                gone.add(e.getKey());
            }
        }
        for (ObjectKey key : gone) {
            // Conditional: an admission may have re-recorded the object meanwhile.
            if (objects.computeIfPresent(key, (k, v) -> v.seq() < listStart ? null : v) == null) {
                changes++;
            }
        }
        deleted.values().removeIf(t -> t.seq() < listStart);
        return changes;
    }

    T get(ObjectKey key) {
        Recorded<T> r = objects.get(key);
        return r == null ? null : r.state();
    }

    Recorded<T> recorded(ObjectKey key) {
        return objects.get(key);
    }

    Collection<Recorded<T>> all() {
        return objects.values();
    }

    int size() {
        return objects.size();
    }

    int tombstones() {
        return deleted.size();
    }
}
