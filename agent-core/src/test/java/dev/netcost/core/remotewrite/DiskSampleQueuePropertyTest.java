package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.netcost.core.config.RemoteWriteConfig.Fsync;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * FIFO across any interleaving of append, poll, release and reopen: every poll returns exactly the
 * next sample of the model, and after a reopen sending resumes at the first unreleased sample —
 * nothing lost, nothing reordered, nothing released sent again.
 */
class DiskSampleQueuePropertyTest {
    private static final Labels[] SERIES = {Labels.of("m", "s", "a"), Labels.of("m", "s", "b"),
        Labels.of("m", "s", "c", "pod", "p-ü")};

    @TempDir
    Path tmp;

    /** One step: 0 append {@code n} samples as one record, 1 poll {@code n}, 2 release {@code n}, 3 reopen. */
    private record Op(int kind, int n) {
    }

    private static Gen<Op> ops() {
        return integers().between(0, 9).zip(integers().between(1, 40), (k, n) ->
                new Op(k <= 2 ? 0 : k <= 5 ? 1 : k <= 8 ? 2 : 3, n));
    }

    @Test
    void everyPollReturnsTheModelsNextSample_acrossAnyInterleavingOfAppendReleaseAndReopen() {
        int[] run = {0};
        qt().withExamples(300).forAll(lists().of(ops()).ofSizeBetween(1, 60)).checkAssert(ops -> {
            Path dir = tmp.resolve("run-" + run[0]++);
            DiskSampleQueue.Options opts = new DiskSampleQueue.Options(1000, 128 * 1024, Duration.ofHours(1),
                    Fsync.NEVER, Duration.ofSeconds(1));
            DiskSampleQueue q = new DiskSampleQueue(dir, opts, Clock.systemUTC(), (r, n) -> {
                throw new AssertionError("nothing may be dropped, got " + n + " " + r);
            });
            long appended = 0;
            long cursor = 0;
            long released = 0;
            try {
                for (Op op : ops) {
                    switch (op.kind()) {
                        case 0 -> {
                            for (int i = 0; i < op.n(); i++, appended++) {
                                q.offer(new Sample(SERIES[(int) (appended % SERIES.length)], appended, appended));
                            }
                            q.seal();
                        }
                        case 1 -> {
                            for (int i = 0; i < op.n(); i++) {
                                Sample s = q.poll();
                                if (cursor < appended) {
                                    assertThat(s).as("poll at %d of %d", cursor, appended).isNotNull();
                                    assertThat(s.timestampMs()).isEqualTo(cursor);
                                    assertThat(s.labels()).isEqualTo(SERIES[(int) (cursor % SERIES.length)]);
                                    cursor++;
                                } else {
                                    assertThat(s).isNull();
                                }
                            }
                        }
                        case 2 -> {
                            int r = (int) Math.min(op.n(), cursor - released);
                            q.release(r);
                            released += r;
                        }
                        default -> {
                            q.shutdown();
                            q = new DiskSampleQueue(dir, opts, Clock.systemUTC(), (r, n) -> {
                                throw new AssertionError("nothing may be dropped, got " + n + " " + r);
                            });
                            // released samples are never sent again, not even those of a partly released record
                            long resume = released;
                            cursor = resume;
                            released = resume;
                        }
                    }
                    assertThat(q.size()).isEqualTo((int) (appended - cursor));
                }
            } finally {
                q.shutdown();
                deleteTree(dir);
            }
        });
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
