package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CatchupPacerTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private CatchupPacer pacer(int perSecond) {
        return new CatchupPacer(perSecond, now::get, d -> now.addAndGet(d.toNanos()));
    }

    @Test
    void steadyTrafficBelowTheCap_neverWaits() {
        CatchupPacer p = pacer(10_000);
        for (int i = 0; i < 100; i++) {
            assertThat(p.reserve(2000)).isEqualTo(Duration.ZERO);
            now.addAndGet(Duration.ofMillis(250).toNanos()); // 8,000 samples/s
        }
    }

    @Test
    void aBacklog_drainsAtTheCap() throws InterruptedException {
        CatchupPacer p = pacer(10_000);
        long start = now.get();
        for (int i = 0; i < 100; i++) {
            p.acquire(2000); // 200,000 samples as fast as allowed
        }
        double seconds = (now.get() - start) / 1e9;
        // one second's burst, then 10,000 a second: 200,000 samples take 18.8 to 19 s (the last batch goes without waiting)
        assertThat(seconds).isBetween(18.5, 19.1);
    }

    @Test
    void aBatchLargerThanTheBucket_goesThrough_andIsPaidForAfter() {
        CatchupPacer p = pacer(1000);
        assertThat(p.reserve(5000)).isEqualTo(Duration.ZERO);
        assertThat(p.reserve(1)).isEqualTo(Duration.ofSeconds(4));
    }
}
