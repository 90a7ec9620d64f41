package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.config.RemoteWriteConfig.Fsync;
import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.testing.ManualClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSampleQueueTest {
    @TempDir
    Path tmp;

    private final ManualClock clock = new ManualClock(Instant.ofEpochMilli(1_700_000_000_000L));
    private final Map<String, AtomicLong> drops = new ConcurrentHashMap<>();
    private final List<DiskSampleQueue> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(DiskSampleQueue::shutdown);
    }

    private DiskSampleQueue queue(DiskSampleQueue.Options options) {
        DiskSampleQueue q = new DiskSampleQueue(tmp.resolve("q"), options, clock,
                (reason, n) -> drops.computeIfAbsent(reason, r -> new AtomicLong()).addAndGet(n));
        open.add(q);
        return q;
    }

    private DiskSampleQueue queue() {
        return queue(options(64L << 20));
    }

    private static DiskSampleQueue.Options options(long maxDiskBytes) {
        return new DiskSampleQueue.Options(1000, maxDiskBytes, Duration.ofHours(2), Fsync.NEVER, Duration.ofSeconds(1));
    }

    private DiskSampleQueue reopen(DiskSampleQueue q) {
        q.shutdown();
        open.remove(q);
        return queue();
    }

    private long dropped(String reason) {
        AtomicLong n = drops.get(reason);
        return n == null ? 0 : n.get();
    }

    private static Sample sample(String series, long ts) {
        return new Sample(Labels.of("netcost_test", "series", series, "node", "n-1"), ts * 1.5, ts);
    }

    /** Appends one record holding {@code n} samples of series "a" with timestamps from {@code from}. */
    private static void cycle(DiskSampleQueue q, long from, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(q.offer(sample("a", from + i))).isTrue();
        }
        q.seal();
    }

    private static List<Long> drain(DiskSampleQueue q) {
        List<Long> out = new ArrayList<>();
        for (Sample s = q.poll(); s != null; s = q.poll()) {
            out.add(s.timestampMs());
        }
        return out;
    }

    private static List<Long> range(long from, long toExclusive) {
        List<Long> out = new ArrayList<>();
        for (long t = from; t < toExclusive; t++) {
            out.add(t);
        }
        return out;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(tmp.resolve("q"))) {
            return s.filter(p -> p.toString().endsWith(DiskSampleQueue.SEGMENT_SUFFIX)).sorted().toList();
        }
    }

    @Test
    void samplesComeBackExactly_inOrder() {
        DiskSampleQueue q = queue();
        Sample odd = new Sample(Labels.of("m", "v", "ünïcødé ✓ 𝄞", "e", "x"), Sample.STALE_NAN, -5);
        q.offer(odd);
        q.offer(new Sample(Labels.of("m"), -0.0, Long.MAX_VALUE));
        q.seal();
        Sample a = q.poll();
        assertThat(a.labels()).isEqualTo(odd.labels());
        assertThat(a.isStaleMarker()).isTrue();
        assertThat(a.timestampMs()).isEqualTo(-5);
        Sample b = q.poll();
        assertThat(Double.doubleToRawLongBits(b.value())).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(b.timestampMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(q.poll()).isNull();
    }

    @Test
    void labelsOfEveryLengthComeBackExactly_acrossTheOneTwoAndThreeByteLengthPrefixes() {
        DiskSampleQueue q = queue();
        List<Labels> sent = new ArrayList<>();
        for (int len : new int[] {0, 1, 127, 128, 129, 16_383, 16_384, 70_000}) {
            String ascii = "a".repeat(len);
            String wide = "ü".repeat(len / 2) + "✓".repeat(len % 3); // two- and three-byte UTF-8
            Labels l = Labels.of("m", "ascii", ascii, "wide", wide, "z", "after");
            sent.add(l);
            q.offer(new Sample(l, len, len));
        }
        q.seal();
        for (Labels l : sent) {
            assertThat(q.poll().labels()).isEqualTo(l);
        }
        assertThat(q.poll()).isNull();
    }

    @Test
    void offeredSamples_areInvisibleUntilSealed() {
        DiskSampleQueue q = queue();
        q.offer(sample("a", 1));
        assertThat(q.poll()).isNull();
        q.seal();
        assertThat(q.poll()).isNotNull();
    }

    @Test
    void afterReopen_sendingResumesAtTheFirstUnreleasedRecord() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 10);
        cycle(q, 10, 10);
        cycle(q, 20, 10);
        assertThat(drain(q)).hasSize(30);
        q.release(10); // the first record acknowledged; the rest was polled and not acknowledged

        q = reopen(q);
        assertThat(q.size()).isEqualTo(20);
        assertThat(drain(q)).isEqualTo(range(10, 30));
    }

    @Test
    void aPartlyReleasedRecord_resumesAfterItsReleasedSamples() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 10);
        drain(q);
        q.release(4);
        q = reopen(q);
        assertThat(drain(q)).isEqualTo(range(4, 10));
    }

    @Test
    void samplesInFlightAtACrash_areInDoubtAfterTheRestart() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 10);
        drain(q);
        q.release(2);
        q.sending(5); // a request of 5 went out; the process died before its answer
        q = reopen(q);
        assertThat(q.inDoubt()).isEqualTo(5);
        assertThat(drain(q)).isEqualTo(range(2, 10));
        q.release(5);
        assertThat(q.inDoubt()).isZero();
        q = reopen(q);
        assertThat(q.inDoubt()).isZero(); // answered: nothing in doubt any more
    }

    @Test
    void releasedSegments_areDeleted() throws IOException {
        DiskSampleQueue q = queue(options(256 * 1024)); // 32 KiB segments
        for (int c = 0; c < 40; c++) {
            cycle(q, c * 100L, 100);
        }
        assertThat(segments().size()).isGreaterThan(3);
        List<Long> all = drain(q);
        assertThat(all).isEqualTo(range(0, 4000));
        q.release(all.size());
        assertThat(segments()).hasSizeLessThanOrEqualTo(1);
        assertThat(dropped(RemoteWriteMetrics.REASON_MAX_DISK_BYTES)).isZero();
    }

    @Test
    void tornTail_isTruncated_andEverythingBeforeItSurvives() throws IOException {
        DiskSampleQueue q = queue();
        cycle(q, 0, 5);
        cycle(q, 5, 5);
        q.shutdown();
        open.remove(q);
        Path seg = segments().get(0);
        long whole = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(whole - 7); // the second record cut short, as by a SIGKILL mid-write
        }

        q = queue();
        assertThat(drain(q)).isEqualTo(range(0, 5));
        assertThat(dropped(RemoteWriteMetrics.REASON_CORRUPT)).isZero();
        assertThat(Files.size(seg)).isLessThan(whole - 7);

        cycle(q, 100, 2); // appending goes on in a new segment
        assertThat(drain(q)).containsExactly(100L, 101L);
    }

    @Test
    void corruptRecordInTheMiddle_isSkippedAndCounted_andTheRestIsRead() throws IOException {
        DiskSampleQueue q = queue();
        cycle(q, 0, 5);
        cycle(q, 5, 7);
        cycle(q, 12, 5);
        q.shutdown();
        open.remove(q);
        Path seg = segments().get(0);
        long firstRecord = Files.size(seg) / 3;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = firstRecord + QueueRecordEncoder.HEADER_BYTES + 30; // inside the second record's payload
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5A);
        }

        q = queue();
        List<Long> got = drain(q);
        assertThat(got).doesNotContain(5L, 11L).contains(0L, 4L, 12L, 16L).hasSize(10);
        assertThat(dropped(RemoteWriteMetrics.REASON_CORRUPT)).isEqualTo(7);
    }

    @Test
    void damagedHeader_isSkipped_byFindingTheNextRecord() throws IOException {
        DiskSampleQueue q = queue();
        cycle(q, 0, 5);
        cycle(q, 5, 5);
        cycle(q, 10, 5);
        q.shutdown();
        open.remove(q);
        Path seg = segments().get(0);
        long recordBytes = Files.size(seg) / 3;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(recordBytes + 5); // the second record's length field
            f.write(new byte[] {0x7f, 0x7f, 0x7f});
        }

        q = queue();
        assertThat(drain(q)).isEqualTo(List.of(0L, 1L, 2L, 3L, 4L, 10L, 11L, 12L, 13L, 14L));
    }

    @Test
    void beyondMaxDiskBytes_theOldestSamplesAreDropped_andCounted() throws IOException {
        DiskSampleQueue.Options small = options(128 * 1024); // 16 KiB segments
        DiskSampleQueue q = queue(small);
        int cycles = 400;
        for (int c = 0; c < cycles; c++) {
            cycle(q, c * 10L, 10);
        }
        long onDisk = segments().stream().mapToLong(p -> p.toFile().length()).sum();
        assertThat(onDisk).isLessThanOrEqualTo(128 * 1024);
        assertThat(q.diskBytes()).isEqualTo(onDisk);

        List<Long> got = drain(q);
        long lost = dropped(RemoteWriteMetrics.REASON_MAX_DISK_BYTES);
        assertThat(lost).isPositive();
        assertThat(got.size() + lost).isEqualTo(cycles * 10L);
        // what is left is the newest part, contiguous and in order
        assertThat(got).isEqualTo(range(cycles * 10L - got.size(), cycles * 10L));
    }

    @Test
    void recordsOlderThanMaxAge_areDroppedUnsent_andCounted() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 5);
        clock.advance(Duration.ofMinutes(90));
        cycle(q, 5, 5);
        clock.advance(Duration.ofMinutes(31)); // the first record is now 2h01m old
        assertThat(drain(q)).isEqualTo(range(5, 10));
        assertThat(dropped(RemoteWriteMetrics.REASON_MAX_AGE)).isEqualTo(5);
    }

    @Test
    void aPartlyReleasedRecordDroppedForAge_countsOnlyItsUnsentSamples() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 10);
        drain(q);
        q.release(4); // a batch of 4 delivered; the rest of the record was still being sent
        clock.advance(Duration.ofMinutes(90));
        cycle(q, 10, 10);
        q = reopen(q);
        assertThat(q.size()).isEqualTo(16);

        clock.advance(Duration.ofMinutes(31)); // the first record is now 2h01m old
        assertThat(drain(q)).isEqualTo(range(10, 20));
        assertThat(dropped(RemoteWriteMetrics.REASON_MAX_AGE)).as("the 4 delivered ones were not dropped").isEqualTo(6);
        assertThat(q.size()).isZero();
    }

    @Test
    void samplesInDoubt_droppedForAge_areNoLongerInDoubt() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 5);
        clock.advance(Duration.ofMinutes(90));
        cycle(q, 5, 5);
        drain(q);
        q.sending(5); // the first record went out; the process died before its answer
        q = reopen(q);
        assertThat(q.inDoubt()).isEqualTo(5);

        clock.advance(Duration.ofMinutes(31)); // the record in doubt is now past maxAge
        assertThat(q.poll().timestampMs()).isEqualTo(5);
        assertThat(q.inDoubt()).as("what was in doubt is dropped unsent; what follows was never sent").isZero();
    }

    @Test
    void unusableDirectory_fallsBackToMemory_andKeepsWorking() throws IOException {
        Files.writeString(tmp.resolve("q"), "a file where the directory should be");
        DiskSampleQueue q = queue();
        assertThat(q.isOnDisk()).isFalse();
        assertThat(q.memoryReason()).isNotEmpty();
        cycle(q, 0, 3);
        assertThat(drain(q)).containsExactly(0L, 1L, 2L);
        assertThat(q.shutdown().lost()).isEqualTo(3); // polled, never released: gone with the process
    }

    @Test
    void aDirectoryLockedByAnotherQueue_isNotShared() {
        DiskSampleQueue first = queue();
        DiskSampleQueue second = queue();
        assertThat(first.isOnDisk()).isTrue();
        assertThat(second.isOnDisk()).isFalse();
        assertThat(second.memoryReason()).contains("another netcost process");
    }

    @Test
    void shutdown_keepsWhatIsOnDisk_includingPolledUnreleased() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 10);
        q.poll();
        q.poll();
        SampleQueue.Closed c = q.shutdown();
        assertThat(c.kept()).isEqualTo(10);
        assertThat(c.lost()).isZero();
    }

    @Test
    void fsyncPolicies_allDeliverTheSameSamples() {
        for (Fsync f : Fsync.values()) {
            DiskSampleQueue q = queue(new DiskSampleQueue.Options(100, 1 << 20, Duration.ofHours(1), f,
                    Duration.ofMillis(10)));
            cycle(q, 0, 3);
            assertThat(drain(q)).as(f.label()).containsExactly(0L, 1L, 2L);
            q.release(3);
            q.shutdown();
            open.remove(q);
        }
    }

    @Test
    void samplesQueuedAfterEverythingWasAcknowledged_surviveTheNextRestart() {
        DiskSampleQueue q = queue();
        cycle(q, 0, 3);
        q.release(drain(q).size()); // all acknowledged: the segment is deleted
        q = reopen(q);
        cycle(q, 3, 3); // a new segment, whose id must sort after the acknowledged one
        q = reopen(q);
        assertThat(drain(q)).containsExactly(3L, 4L, 5L);
    }

    @Test
    void afterFallingBackToMemory_theQueueReturnsToDisk_onceDrained_andAMinuteHasPassed() {
        DiskSampleQueue holder = queue();
        DiskSampleQueue q = queue(); // same directory: locked, so in memory
        assertThat(q.isOnDisk()).isFalse();
        cycle(q, 0, 3);
        holder.shutdown();
        open.remove(holder);

        clock.advance(Duration.ofMinutes(2));
        cycle(q, 3, 2); // memory not drained yet: stays in memory, order kept
        assertThat(q.isOnDisk()).isFalse();
        assertThat(drain(q)).containsExactly(0L, 1L, 2L, 3L, 4L);
        q.release(5);

        cycle(q, 5, 2); // drained, a minute since the last try: back on disk
        assertThat(q.isOnDisk()).isTrue();
        assertThat(q.memoryReason()).isEmpty();
        q.shutdown();
        open.remove(q);
        assertThat(drain(queue())).containsExactly(5L, 6L);
    }
}
