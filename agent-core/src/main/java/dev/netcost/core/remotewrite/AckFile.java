package dev.netcost.core.remotewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Where the endpoint's acknowledgements reached in a queue: every sample before (segment, offset),
 * and the first {@code skip} samples of the record at offset, were delivered or given up on; and how
 * many samples after that were in flight — sent, with no answer yet — when it was written. Two
 * 48-byte slots written in turn, each with a sequence number and a CRC, so a write torn by a crash
 * leaves the previous position readable.
 */
final class AckFile implements AutoCloseable {
    static final String NAME = "ack";
    private static final int SLOT = 48;
    private static final int CHECKED = 32;

    /** A position in the queue: segment id, byte offset of a record, samples of it already released. */
    record Position(long segment, long offset, int skip) {
        static final Position START = new Position(0, 0, 0);
    }

    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(SLOT);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private Position position;
    private int inFlight;

    AckFile(Path dir) throws IOException {
        this.ch = FileChannel.open(dir.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Position best = Position.START;
        long bestSeq = -1;
        for (int slot = 0; slot < 2; slot++) {
            buf.clear();
            int n = 0;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, (long) slot * SLOT + buf.position());
                if (r < 0) {
                    break;
                }
                n += r;
            }
            if (n < CHECKED + 4) {
                continue;
            }
            crc.reset();
            crc.update(buf.array(), 0, CHECKED);
            long seq = buf.getLong(0);
            if (buf.getInt(CHECKED) == (int) crc.getValue() && seq > bestSeq) {
                bestSeq = seq;
                best = new Position(buf.getLong(8), buf.getLong(16), buf.getInt(24));
                inFlight = buf.getInt(28);
            }
        }
        this.sequence = bestSeq + 1;
        this.position = best;
    }

    Position position() {
        return position;
    }

    /** Samples after {@link #position()} that were sent and not answered when last written. */
    int inFlight() {
        return inFlight;
    }

    void write(Position p, int samplesInFlight) throws IOException {
        buf.clear();
        buf.putLong(sequence).putLong(p.segment()).putLong(p.offset()).putInt(p.skip()).putInt(samplesInFlight);
        crc.reset();
        crc.update(buf.array(), 0, CHECKED);
        buf.putInt((int) crc.getValue());
        while (buf.hasRemaining()) {
            buf.put((byte) 0);
        }
        buf.flip();
        long at = (sequence & 1) * SLOT;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
        sequence++;
        position = p;
        inFlight = samplesInFlight;
    }

    void force() throws IOException {
        ch.force(false);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
