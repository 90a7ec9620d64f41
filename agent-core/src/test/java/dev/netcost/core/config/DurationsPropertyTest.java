package dev.netcost.core.config;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsPropertyTest {
    private static final long TEN_YEARS_MS = Duration.ofDays(3653).toMillis();

    @Test
    void parseOfFormat_isIdentity_forWholeMillisecondsUpToTenYears() {
        qt().withExamples(10_000)
                .forAll(longs().between(0, TEN_YEARS_MS).map(Duration::ofMillis))
                .check(d -> Durations.parse(Durations.format(d)).equals(d));
    }

    @Test
    void parseOfFormat_isIdentity_forDurationsMadeOfWholeUnits() {
        // Random millis rarely land on whole seconds, minutes or hours; build those on purpose.
        long[] units = {1, 1000, 60_000, 3_600_000, 86_400_000};
        qt().withExamples(10_000)
                .forAll(longs().between(0, units.length - 1), longs().between(0, 87_660))
                .as((u, n) -> Duration.ofMillis(Math.min(TEN_YEARS_MS, units[(int) (long) u] * n)))
                .check(d -> Durations.parse(Durations.format(d)).equals(d));
    }
}
