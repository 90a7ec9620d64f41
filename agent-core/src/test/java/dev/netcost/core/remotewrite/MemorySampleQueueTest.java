package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class MemorySampleQueueTest {
    private static final Labels SERIES = Labels.of("m", "pod", "p");

    private static Sample sample(long i) {
        return new Sample(SERIES, i, i);
    }

    /** One step: offer {@code n} samples (kind 0) or poll {@code n} (kind 1). */
    private record Op(int kind, int n) {
    }

    private static Gen<Op> ops() {
        return integers().between(0, 1).zip(integers().between(1, 700), Op::new);
    }

    @Test
    void behavesAsABoundedFifo_acrossAnyMixOfOffersAndPolls_whileTheRingGrowsAndShrinks() {
        qt().withExamples(200).forAll(integers().between(1, 4000), lists().of(ops()).ofSizeBetween(1, 40))
                .checkAssert((capacity, ops) -> {
                    MemorySampleQueue q = new MemorySampleQueue(capacity);
                    ArrayDeque<Long> model = new ArrayDeque<>();
                    long next = 0;
                    for (Op op : ops) {
                        for (int i = 0; i < op.n(); i++) {
                            if (op.kind() == 0) {
                                boolean room = model.size() < capacity;
                                assertThat(q.offer(sample(next))).isEqualTo(room);
                                if (room) {
                                    model.add(next);
                                }
                                next++;
                            } else {
                                Sample s = q.poll();
                                Long want = model.poll();
                                assertThat(s == null ? null : (long) s.value()).isEqualTo(want);
                            }
                        }
                        assertThat(q.size()).isEqualTo(model.size());
                        assertThat(q.slots()).isBetween(model.size(), Math.max(capacity, 1));
                    }
                });
    }

    @Test
    void holdsSlotsForWhatIsQueued_notForItsCapacity() {
        MemorySampleQueue q = new MemorySampleQueue(500_000);
        assertThat(q.slots()).isEqualTo(MemorySampleQueue.INITIAL_SLOTS);
        for (int i = 0; i < 10_000; i++) {
            assertThat(q.offer(sample(i))).isTrue();
        }
        assertThat(q.slots()).isEqualTo(16_384);
        for (int i = 0; i < 10_000; i++) {
            assertThat(q.poll().value()).isEqualTo(i);
        }
        assertThat(q.poll()).isNull();
        assertThat(q.slots()).isEqualTo(MemorySampleQueue.INITIAL_SLOTS);
    }

    @Test
    void aFullQueueRefusesAndCountsWhatItHeldAsLostAtShutdown() {
        MemorySampleQueue q = new MemorySampleQueue(3);
        assertThat(List.of(q.offer(sample(1)), q.offer(sample(2)), q.offer(sample(3)), q.offer(sample(4))))
                .containsExactly(true, true, true, false);
        assertThat(q.poll().value()).isEqualTo(1);
        assertThat(q.unreleased()).isEqualTo(1);
        assertThat(q.shutdown().lost()).isEqualTo(3); // one polled and unreleased, two queued
        assertThat(q.size()).isZero();
    }

    @Test
    void aWaitingPollerGetsEverySampleInOrder_fromAnotherThread() throws Exception {
        MemorySampleQueue q = new MemorySampleQueue(100_000);
        int n = 50_000;
        List<Long> got = new ArrayList<>(n);
        Thread consumer = new Thread(() -> {
            try {
                while (got.size() < n) {
                    Sample s = q.poll(10, TimeUnit.SECONDS);
                    if (s == null) {
                        return;
                    }
                    got.add((long) s.value());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        consumer.start();
        for (int i = 0; i < n; i++) {
            assertThat(q.offer(sample(i))).isTrue();
        }
        consumer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(consumer.isAlive()).isFalse();
        assertThat(got).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).isEqualTo(i);
        }
    }

    @Test
    void pollWithATimeoutReturnsNullWhenNothingArrives() throws InterruptedException {
        assertThat(new MemorySampleQueue(10).poll(1, TimeUnit.MILLISECONDS)).isNull();
    }
}
