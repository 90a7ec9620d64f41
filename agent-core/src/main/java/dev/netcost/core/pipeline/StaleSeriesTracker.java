package dev.netcost.core.pipeline;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Remembers which series each exporter sent last time, so that a series that disappears (the pod was
 * deleted) ends with one Prometheus stale marker instead of lingering for five minutes in queries.
 * An exporter that failed this cycle keeps its series: a failed scrape says nothing about pods.
 */
final class StaleSeriesTracker {
    private final Map<String, Map<Labels, Long>> lastSeen = new HashMap<>();

    /**
     * Records {@code current} as the exporter's series and appends a stale marker to {@code out} for
     * every series it sent last time and not now, stamped after that series' last sample.
     */
    void update(String exporter, List<Sample> current, long cycleMs, List<Sample> out) {
        Map<Labels, Long> previous = lastSeen.getOrDefault(exporter, Map.of());
        Map<Labels, Long> now = new HashMap<>(Math.max(16, current.size() * 2));
        for (Sample s : current) {
            now.merge(s.labels(), s.timestampMs(), Math::max);
        }
        for (Map.Entry<Labels, Long> e : previous.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                out.add(Sample.staleMarker(e.getKey(), Math.max(cycleMs, e.getValue() + 1)));
            }
        }
        lastSeen.put(exporter, now);
    }
}
