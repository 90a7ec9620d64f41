package dev.netcost.core.remotewrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Where the endpoint's acknowledgements reached in a queue: every record before (segment, offset)
 * was delivered or given up on. Two 32-byte slots written in turn, each with a sequence number and a
 * CRC, so a write torn by a crash leaves the previous position readable. Losing the latest position
 * only means sending some records again, which the endpoints drop as exact duplicates.
 */
final class AckFile implements AutoCloseable {
    static final String NAME = "ack";
    private static final int SLOT = 32;

    /** A position in the queue: segment id and byte offset within it. */
    record Position(long segment, long offset) {
        static final Position START = new Position(0, 0);

        boolean isAfter(Position o) {
            return segment > o.segment || (segment == o.segment && offset > o.offset);
        }
    }

    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(SLOT);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private Position position;

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
            if (n < 28) {
                continue;
            }
            crc.reset();
            crc.update(buf.array(), 0, 24);
            long seq = buf.getLong(0);
            if (buf.getInt(24) == (int) crc.getValue() && seq > bestSeq) {
                bestSeq = seq;
                best = new Position(buf.getLong(8), buf.getLong(16));
            }
        }
        this.sequence = bestSeq + 1;
        this.position = best;
    }

    Position position() {
        return position;
    }

    void write(Position p) throws IOException {
        buf.clear();
        buf.putLong(sequence).putLong(p.segment()).putLong(p.offset());
        crc.reset();
        crc.update(buf.array(), 0, 24);
        buf.putInt((int) crc.getValue()).putInt(0);
        buf.flip();
        long at = (sequence & 1) * SLOT;
        while (buf.hasRemaining()) {
            at += ch.write(buf, at);
        }
        sequence++;
        position = p;
    }

    void force() throws IOException {
        ch.force(false);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
