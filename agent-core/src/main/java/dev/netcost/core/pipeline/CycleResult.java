package dev.netcost.core.pipeline;

import java.util.Map;

/**
 * What one cycle did.
 *
 * @param timestampMs the cycle's time
 * @param samples     samples handed to the sinks, stale markers and the agent's own series included
 * @param success     each exporter's success
 */
public record CycleResult(long timestampMs, int samples, Map<String, Boolean> success) {
    public CycleResult {
        success = Map.copyOf(success);
    }
}
