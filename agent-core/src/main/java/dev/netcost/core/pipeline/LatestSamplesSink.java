package dev.netcost.core.pipeline;

import dev.netcost.core.model.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps the last cycle's samples (stale markers left out) for {@code /debug/series}. */
public final class LatestSamplesSink implements Sink {
    private volatile List<Sample> latest = List.of();

    @Override
    public String name() {
        return "debug_series";
    }

    @Override
    public void write(List<Sample> samples) {
        List<Sample> kept = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            if (!s.isStaleMarker()) {
                kept.add(s);
            }
        }
        latest = List.copyOf(kept);
    }

    public List<Sample> latest() {
        return latest;
    }

    @Override
    public boolean flush(Duration timeout) {
        return true;
    }

    @Override
    public void close() {
    }
}
