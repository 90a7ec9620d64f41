package dev.netcost.core.remotewrite;

import dev.netcost.core.config.RemoteWriteConfig.Fsync;
import dev.netcost.core.model.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable FIFO of samples in one directory: append-only segment files of CRC-checked records
 * ({@link QueueRecordEncoder}), and an {@link AckFile} saying how far the endpoint acknowledged.
 *
 * <ul>
 *   <li>Each {@link #seal()} (one cycle's samples for this shard) appends one record, or several for
 *       a large cycle; a record is the unit that is sent again after a crash.</li>
 *   <li>{@link #poll} decodes one record at a time, so memory stays bounded however large the backlog;
 *       {@link #release} advances the acknowledged position and deletes segments wholly behind it.</li>
 *   <li>On open, a torn tail (a record cut short by a crash) is truncated, a damaged record in the
 *       middle is skipped and counted, and reading resumes at the first unacknowledged record.</li>
 *   <li>Bounds: beyond {@code maxDiskBytes} the oldest segment is deleted, records older than
 *       {@code maxAge} are skipped; both are counted through the {@link DropListener}.</li>
 *   <li>When the directory cannot be used (read-only, full, locked by another process) the queue keeps
 *       working in memory and retries the disk once a minute, once the memory part has drained.</li>
 * </ul>
 */
public final class DiskSampleQueue implements SampleQueue {
    private static final Logger LOG = LoggerFactory.getLogger(DiskSampleQueue.class);
    static final String SEGMENT_SUFFIX = ".seg";
    static final String LOCK = "lock";
    static final Duration DISK_RETRY = Duration.ofMinutes(1);
    private static final int MAX_RECORD_SAMPLES = 4096;

    /** Told about every sample the queue gives up on, with the reason for the dropped counter. */
    @FunctionalInterface
    public interface DropListener {
        void dropped(String reason, long samples);
    }

    /**
     * @param memoryCapacity samples the memory fallback holds
     * @param maxDiskBytes   this queue's share of the endpoint's disk budget
     * @param maxAge         records appended longer ago are dropped unsent
     */
    public record Options(int memoryCapacity, long maxDiskBytes, Duration maxAge, Fsync fsync, Duration fsyncInterval) {
        public Options {
            Objects.requireNonNull(maxAge, "maxAge");
            Objects.requireNonNull(fsync, "fsync");
            Objects.requireNonNull(fsyncInterval, "fsyncInterval");
            if (memoryCapacity < 1 || maxDiskBytes < 1) {
                throw new IllegalArgumentException("memoryCapacity and maxDiskBytes must be positive");
            }
        }

        /** Segments are an eighth of the budget, so dropping the oldest drops at most that. */
        long segmentBytes() {
            return Math.max(16 * 1024, Math.min(64L << 20, maxDiskBytes / 8));
        }

        int maxRecordPayload() {
            return (int) Math.max(4096, Math.min(1 << 20, segmentBytes() / 4));
        }
    }

    /** One segment file and what the queue knows of it. */
    private static final class Segment {
        final long id;
        final Path path;
        long size;
        long samples;
        long readSamples;
        /** Where the open-time scan found damage (already counted): the reader skips it silently. */
        final java.util.Set<Long> knownDamage = new java.util.HashSet<>();

        Segment(long id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    /** Records handed out and not yet wholly released, oldest first; segment -1 for the memory part. */
    private static final class Pending {
        final long segment;
        final long start;
        final long end;
        final long count;
        long remaining;

        Pending(long segment, long start, long end, long count, long remaining) {
            this.segment = segment;
            this.start = start;
            this.end = end;
            this.count = count;
            this.remaining = remaining;
        }
    }

    private final Path dir;
    private final Options options;
    private final Clock clock;
    private final DropListener drops;
    private final MemorySampleQueue memory;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final QueueRecordEncoder encoder = new QueueRecordEncoder();
    private final List<Sample> unsealed = new ArrayList<>();
    private final QueueRecordParser parser = new QueueRecordParser();
    private final SegmentReader reader = new SegmentReader();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    // Disk state; all of it guarded by lock.
    private FileChannel lockChannel;
    private FileLock fileLock;
    private AckFile ack;
    private boolean onDisk;
    private String memoryReason = "";
    private long lastDiskAttemptMs;
    private Segment tail;
    private FileChannel tailChannel;
    private boolean dirty;
    private long lastForceMs;
    private long nextSegmentId = 1;
    private long totalBytes;
    private long queuedOnDisk;
    private Segment readSegment;
    private FileChannel readChannel;
    private long readPos;
    private Sample[] current = new Sample[0];
    private int currentIndex;
    private boolean closed;
    /** The record a restart resumes in, and how many of its samples were already released. */
    private AckFile.Position resumeIn;
    private long inDoubt;

    /** Opens (or creates) the queue in {@code dir}; never throws for an unusable directory: memory then. */
    public DiskSampleQueue(Path dir, Options options, Clock clock, DropListener drops) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.memory = new MemorySampleQueue(options.memoryCapacity());
        lock.lock();
        try {
            openDisk();
        } finally {
            lock.unlock();
        }
    }

    /** True while samples go to disk; false after falling back to memory. */
    public boolean isOnDisk() {
        lock.lock();
        try {
            return onDisk;
        } finally {
            lock.unlock();
        }
    }

    /** Why the queue is in memory, or empty when on disk. */
    public String memoryReason() {
        lock.lock();
        try {
            return onDisk ? "" : memoryReason;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of segment files this queue holds. */
    public long diskBytes() {
        lock.lock();
        try {
            return totalBytes;
        } finally {
            lock.unlock();
        }
    }

    private void openDisk() {
        lastDiskAttemptMs = clock.millis();
        segments.clear();
        totalBytes = 0;
        queuedOnDisk = 0;
        readSegment = null;
        readPos = 0;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                fileLock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                fileLock = null;
            }
            if (fileLock == null) {
                throw new IOException("another netcost process (or endpoint) uses " + dir);
            }
            ack = new AckFile(dir);
            recover();
            onDisk = true;
        } catch (IOException | RuntimeException e) {
            memoryReason = describe(e);
            releaseDiskHandles();
            onDisk = false;
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException || e instanceof java.nio.file.ReadOnlyFileSystemException) {
            return "cannot write " + m + " (read-only or not permitted)";
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Reads every segment: sizes and sample counts, torn tail truncated, damage skipped and counted. */
    private void recover() throws IOException {
        List<Long> ids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    ids.add(Long.parseLong(n.substring(0, n.length() - SEGMENT_SUFFIX.length())));
                } catch (NumberFormatException e) {
                    LOG.warn("durable queue {}: ignoring {} (not a segment name)", dir, n);
                }
            }
        }
        ids.sort(null);
        AckFile.Position acked = ack.position();
        // New segments must sort after the acknowledged one even when every file was deleted.
        nextSegmentId = Math.max(nextSegmentId, acked.segment() + 1);
        long corrupt = 0;
        for (int i = 0; i < ids.size(); i++) {
            long id = ids.get(i);
            Segment s = new Segment(id, segmentPath(id));
            nextSegmentId = Math.max(nextSegmentId, id + 1);
            if (id < acked.segment()) {
                Files.deleteIfExists(s.path); // acknowledged; a crash came before its deletion
                continue;
            }
            boolean last = i == ids.size() - 1;
            try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long fileSize = ch.size();
                long pos = 0;
                while (true) {
                    SegmentReader.Result r = reader.read(ch, pos, fileSize);
                    boolean released = id == acked.segment() && r.next() <= acked.offset();
                    if (r.kind() == SegmentReader.Kind.END) {
                        if (pos < fileSize) {
                            if (last) {
                                ch.truncate(pos);
                                LOG.info("durable queue {}: truncated a torn tail of {} bytes in {} (a write cut"
                                        + " short by a crash; its samples were never acknowledged as queued)",
                                        dir, fileSize - pos, s.path.getFileName());
                            } else {
                                LOG.warn("durable queue {}: {} damaged bytes at the end of {} skipped", dir,
                                        fileSize - pos, s.path.getFileName());
                            }
                        }
                        break;
                    }
                    if (r.kind() == SegmentReader.Kind.RECORD) {
                        s.samples += r.samples();
                        if (released) {
                            s.readSamples += r.samples();
                        } else if (id == acked.segment() && pos == acked.offset() && acked.skip() > 0) {
                            s.readSamples += Math.min(acked.skip(), r.samples());
                        }
                    } else if (!released) {
                        s.knownDamage.add(pos);
                        corrupt += r.samples();
                        LOG.warn("durable queue {}: skipped {} damaged bytes in {} at offset {} ({} samples lost)",
                                dir, r.next() - pos, s.path.getFileName(), pos, r.samples());
                    }
                    pos = r.next();
                }
                s.size = pos;
            }
            if (s.size == 0) {
                Files.deleteIfExists(s.path);
                continue;
            }
            segments.addLast(s);
            totalBytes += s.size;
            queuedOnDisk += s.samples - s.readSamples;
        }
        if (corrupt > 0) {
            drops.dropped(RemoteWriteMetrics.REASON_CORRUPT, corrupt);
        }
        for (Segment s : segments) {
            if (s.id == acked.segment()) {
                readSegment = s;
                readPos = Math.min(acked.offset(), s.size);
                break;
            }
            if (s.id > acked.segment()) {
                readSegment = s;
                readPos = 0;
                break;
            }
        }
        resumeIn = acked.skip() > 0 ? acked : null;
        inDoubt = Math.min(ack.inFlight(), queuedOnDisk);
        if (!segments.isEmpty()) {
            LOG.info("durable queue {}: resuming with {} unsent samples in {} segments ({} bytes)", dir,
                    queuedOnDisk, segments.size(), totalBytes);
        }
    }

    private Path segmentPath(long id) {
        return dir.resolve(String.format("%020d%s", id, SEGMENT_SUFFIX));
    }

    @Override
    public boolean offer(Sample sample) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (!onDisk) {
                maybeReturnToDisk();
            }
            if (!onDisk) {
                return memory.offer(sample);
            }
            encoder.add(sample);
            unsealed.add(sample);
            if (encoder.sampleCount() >= MAX_RECORD_SAMPLES || encoder.payloadSize() >= options.maxRecordPayload()) {
                appendRecord();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void seal() {
        lock.lock();
        try {
            if (onDisk && encoder.sampleCount() > 0) {
                appendRecord();
            }
            if (onDisk && dirty && options.fsync() != Fsync.NEVER) {
                long now = clock.millis();
                if (options.fsync() == Fsync.BATCH || now - lastForceMs >= options.fsyncInterval().toMillis()) {
                    force();
                }
            }
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void force() {
        try {
            tailChannel.force(false);
            ack.force();
            dirty = false;
            lastForceMs = clock.millis();
        } catch (IOException e) {
            toMemory(e);
        }
    }

    /** Writes the encoder's samples as one record; on failure they go to memory and so does the queue. */
    private void appendRecord() {
        ByteBuffer record = encoder.frame(clock.millis());
        int bytes = record.remaining();
        int samples = encoder.sampleCount();
        try {
            if (tail == null || (tail.size > 0 && tail.size + bytes > options.segmentBytes())) {
                roll();
            }
            makeRoom(bytes);
            long at = tail.size;
            try {
                while (record.hasRemaining()) {
                    at += tailChannel.write(record, at);
                }
            } catch (IOException e) {
                truncateQuietly(tail.size);
                throw e;
            }
            tail.size += bytes;
            tail.samples += samples;
            totalBytes += bytes;
            queuedOnDisk += samples;
            dirty = true;
            if (readSegment == null) {
                readSegment = tail;
                readPos = 0;
            }
            encoder.reset();
            unsealed.clear();
            available.signalAll();
        } catch (IOException e) {
            toMemory(e);
        }
    }

    private void truncateQuietly(long size) {
        try {
            tailChannel.truncate(size);
        } catch (IOException | RuntimeException e) {
            // the next start truncates the torn record anyway
        }
    }

    /** Starts a new segment file; the old tail stays for the reader. */
    private void roll() throws IOException {
        if (tailChannel != null) {
            if (dirty && options.fsync() != Fsync.NEVER) {
                tailChannel.force(false);
                lastForceMs = clock.millis();
                dirty = false;
            }
            tailChannel.close();
            tailChannel = null;
        }
        Segment s = new Segment(nextSegmentId, segmentPath(nextSegmentId));
        tailChannel = FileChannel.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        nextSegmentId++;
        segments.addLast(s);
        tail = s;
    }

    /** Deletes the oldest segments until {@code bytes} more fit in the budget, counting what they held. */
    private void makeRoom(long bytes) throws IOException {
        while (totalBytes + bytes > options.maxDiskBytes() && segments.size() > 1) {
            Segment oldest = segments.pollFirst();
            long lost = oldest.samples - oldest.readSamples;
            totalBytes -= oldest.size;
            queuedOnDisk -= lost;
            if (readSegment == oldest) {
                closeReadChannel();
                readSegment = segments.peekFirst();
                readPos = 0;
            }
            Files.deleteIfExists(oldest.path);
            if (lost > 0) {
                drops.dropped(RemoteWriteMetrics.REASON_MAX_DISK_BYTES, lost);
            }
        }
    }

    private void toMemory(IOException e) {
        memoryReason = describe(e);
        LOG.warn("durable queue {}: cannot write ({}); queueing in memory from now on (up to {} samples, lost on"
                + " restart) and retrying the disk every {} (possible fixes: free space on the volume of dataDir,"
                + " raise its size, lower queue.maxDiskBytes)", dir, memoryReason, options.memoryCapacity(),
                dev.netcost.core.config.Durations.format(DISK_RETRY));
        onDisk = false;
        dirty = false;
        lastDiskAttemptMs = clock.millis();
        for (Sample s : unsealed) {
            if (!memory.offer(s)) {
                drops.dropped(RemoteWriteMetrics.REASON_QUEUE_FULL, 1);
            }
        }
        unsealed.clear();
        encoder.reset();
        if (tailChannel != null) {
            try {
                tailChannel.close();
            } catch (IOException ignored) {
                // already failing
            }
            tailChannel = null;
        }
        tail = null; // a later return to disk starts a new segment, after whatever the reader has left
    }

    /** Once the memory part has drained, tries the disk again (at most once per {@link #DISK_RETRY}). */
    private void maybeReturnToDisk() {
        if (memory.size() > 0 || memory.unreleased() > 0
                || clock.millis() - lastDiskAttemptMs < DISK_RETRY.toMillis()) {
            return;
        }
        lastDiskAttemptMs = clock.millis();
        if (ack == null) {
            openDisk();
        } else {
            onDisk = true;
        }
        if (onDisk) {
            LOG.info("durable queue {}: writing to disk again", dir);
        }
    }

    @Override
    public Sample poll() {
        lock.lock();
        try {
            return next();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Sample poll(long timeout, TimeUnit unit) throws InterruptedException {
        long left = unit.toNanos(timeout);
        lock.lockInterruptibly();
        try {
            while (true) {
                Sample s = next();
                if (s != null || left <= 0) {
                    return s;
                }
                left = available.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next sample: the decoded record first, then the disk, then the memory part. */
    private Sample next() {
        while (!closed) {
            if (currentIndex < current.length) {
                Sample s = current[currentIndex];
                current[currentIndex++] = null;
                return s;
            }
            if (readSegment != null && readNextRecord()) {
                continue;
            }
            if (diskLeft()) {
                return null; // the disk could not be read just now (an interrupt): never overtake it
            }
            Sample s = memory.poll();
            if (s != null) {
                Pending last = pending.peekLast();
                if (last != null && last.segment < 0) {
                    last.remaining++;
                } else {
                    pending.addLast(new Pending(-1, 0, 0, 0, 1));
                }
            }
            return s;
        }
        return null;
    }

    private boolean diskLeft() {
        return readSegment != null && (readPos < readSegment.size || segmentAfter(readSegment) != null);
    }

    /** Decodes the next record into {@link #current}; false when the disk has nothing more. */
    private boolean readNextRecord() {
        while (readSegment != null) {
            if (readPos >= readSegment.size) {
                Segment after = segmentAfter(readSegment);
                if (after == null) {
                    return false;
                }
                closeReadChannel();
                readSegment = after;
                readPos = 0;
                continue;
            }
            try {
                if (readChannel == null) {
                    readChannel = FileChannel.open(readSegment.path, StandardOpenOption.READ);
                }
                long start = readPos;
                SegmentReader.Result r = reader.read(readChannel, readPos, readSegment.size);
                if (r.kind() == SegmentReader.Kind.END) {
                    // damaged up to the end of what was written: nothing readable is left here
                    readPos = readSegment.size;
                    continue;
                }
                readPos = r.next();
                if (r.kind() == SegmentReader.Kind.DAMAGED && readSegment.knownDamage.contains(start)) {
                    continue;
                }
                // The first record read after a restart may have had samples released before it: they
                // were delivered, so they are neither sent again nor counted if the rest is dropped.
                int skip = 0;
                if (resumeIn != null && resumeIn.segment() == readSegment.id && resumeIn.offset() == start) {
                    skip = Math.min(resumeIn.skip(), r.samples());
                }
                resumeIn = null;
                if (r.kind() == SegmentReader.Kind.DAMAGED) {
                    LOG.warn("durable queue {}: skipped {} damaged bytes in {} ({} samples lost)", dir,
                            r.next() - start, readSegment.path.getFileName(), r.samples() - skip);
                    countRead(r.samples() - skip, RemoteWriteMetrics.REASON_CORRUPT);
                    continue;
                }
                if (r.appendTimeMs() < clock.millis() - options.maxAge().toMillis()) {
                    countRead(r.samples() - skip, RemoteWriteMetrics.REASON_MAX_AGE);
                    continue;
                }
                Sample[] samples;
                try {
                    samples = parser.parse(reader.payload(), 0, reader.payloadLength(), r.samples());
                } catch (RuntimeException e) {
                    LOG.warn("durable queue {}: undecodable record in {} at offset {} skipped ({} samples lost): {}",
                            dir, readSegment.path.getFileName(), start, r.samples() - skip, e.getMessage());
                    countRead(r.samples() - skip, RemoteWriteMetrics.REASON_CORRUPT);
                    continue;
                }
                Arrays.fill(samples, 0, skip, null);
                readSegment.readSamples += samples.length - skip;
                queuedOnDisk -= samples.length - skip;
                pending.addLast(new Pending(readSegment.id, start, readPos, samples.length, samples.length - skip));
                current = samples;
                currentIndex = skip;
                return true;
            } catch (ClosedChannelException e) {
                readChannel = null; // closed by an interrupt: reopen on the next call
                return false;
            } catch (IOException e) {
                LOG.warn("durable queue {}: cannot read {}: {}; skipping the rest of it", dir,
                        readSegment.path.getFileName(), e.toString());
                countRead(readSegment.samples - readSegment.readSamples, RemoteWriteMetrics.REASON_CORRUPT);
                readPos = readSegment.size;
            }
        }
        return false;
    }

    /**
     * Samples read past without sending: dropped, and released in order like sent ones. Any of them
     * in doubt are no longer: they were never delivered after the restart, and what follows them was
     * never sent.
     */
    private void countRead(long samples, String reason) {
        long n = Math.min(samples, readSegment.samples - readSegment.readSamples);
        readSegment.readSamples += n;
        queuedOnDisk -= n;
        inDoubt = Math.max(0, inDoubt - n);
        pending.addLast(new Pending(readSegment.id, readPos, readPos, 0, 0));
        if (n > 0) {
            drops.dropped(reason, n);
        }
        releaseSettled();
    }

    private Segment segmentAfter(Segment s) {
        boolean found = false;
        for (Segment x : segments) {
            if (found) {
                return x;
            }
            found = x == s;
        }
        return found ? null : segments.peekFirst();
    }

    private void closeReadChannel() {
        if (readChannel != null) {
            try {
                readChannel.close();
            } catch (IOException ignored) {
                // read-only handle
            }
            readChannel = null;
        }
    }

    @Override
    public void release(int n) {
        lock.lock();
        try {
            long left = n;
            for (Pending p : pending) {
                if (left == 0) {
                    break;
                }
                long take = Math.min(left, p.remaining);
                p.remaining -= take;
                left -= take;
                if (p.segment < 0) {
                    memory.release((int) take);
                }
            }
            if (left > 0) {
                throw new IllegalStateException("BUG: released " + n + " samples, " + left + " more than were polled");
            }
            inDoubt = Math.max(0, inDoubt - n);
            releaseSettled();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Samples at the head that may have reached the endpoint before a crash: they were in flight, with
     * no answer recorded. Sent alone first, so that a refusal of them as already stored is recognised.
     */
    @Override
    public int inDoubt() {
        lock.lock();
        try {
            return (int) inDoubt;
        } finally {
            lock.unlock();
        }
    }

    /** Records that the oldest {@code n} unreleased samples are being sent, so a crash leaves them in doubt. */
    @Override
    public void sending(int n) {
        lock.lock();
        try {
            if (ack != null && n > 0 && !pending.isEmpty() && pending.peekFirst().segment >= 0) {
                ack.write(ack.position(), n);
            }
        } catch (IOException e) {
            LOG.debug("durable queue {}: cannot record the samples in flight: {}", dir, e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Pops wholly released records from the front, persists the new position, deletes spent segments. */
    private void releaseSettled() {
        AckFile.Position reached = null;
        while (!pending.isEmpty() && pending.peekFirst().remaining == 0) {
            Pending p = pending.pollFirst();
            if (p.segment >= 0) {
                reached = new AckFile.Position(p.segment, p.end, 0);
            }
        }
        Pending head = pending.peekFirst();
        if (head != null && head.segment >= 0 && head.remaining < head.count) {
            reached = new AckFile.Position(head.segment, head.start, (int) (head.count - head.remaining));
        }
        if (reached == null || ack == null) {
            return;
        }
        try {
            ack.write(reached, 0);
            while (!segments.isEmpty()) {
                Segment first = segments.peekFirst();
                boolean spent = first.id < reached.segment() || (first.id == reached.segment()
                        && reached.skip() == 0 && reached.offset() >= first.size && first != tail);
                if (!spent || first == readSegment && readPos < first.size) {
                    break;
                }
                segments.pollFirst();
                totalBytes -= first.size;
                if (first == readSegment) {
                    closeReadChannel();
                    readSegment = segments.peekFirst();
                    readPos = 0;
                }
                Files.deleteIfExists(first.path);
            }
        } catch (IOException e) {
            LOG.warn("durable queue {}: cannot record the acknowledged position: {} (some samples may be sent"
                    + " twice after a restart)", dir, e.toString());
        }
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, queuedOnDisk + (current.length - currentIndex) + memory.size()
                    + (onDisk ? encoder.sampleCount() : 0));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int capacity() {
        return options.memoryCapacity();
    }

    @Override
    public Closed shutdown() {
        lock.lock();
        try {
            if (closed) {
                return new Closed(0, 0);
            }
            if (onDisk && encoder.sampleCount() > 0) {
                appendRecord();
            }
            long kept = 0;
            if (onDisk || ack != null) {
                kept = queuedOnDisk;
                for (Pending p : pending) {
                    if (p.segment >= 0) {
                        kept += p.remaining;
                    }
                }
            }
            if (tailChannel != null && dirty && options.fsync() != Fsync.NEVER) {
                force();
            }
            closed = true;
            available.signalAll();
            long lost = memory.shutdown().lost();
            releaseDiskHandles();
            return new Closed(lost, kept);
        } finally {
            lock.unlock();
        }
    }

    private void releaseDiskHandles() {
        closeReadChannel();
        for (AutoCloseable c : new AutoCloseable[] {tailChannel, ack, fileLock, lockChannel}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing
                }
            }
        }
        tailChannel = null;
        tail = null;
        ack = null;
        fileLock = null;
        lockChannel = null;
    }
}
