package dev.netcost.cadvisor;

import java.io.EOFException;
import java.io.IOException;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates a gzip stream (RFC 1952, one or more members) as it is read, through a small input
 * buffer reused across scrapes: the caller pulls decompressed bytes into its own window and decides
 * how many it accepts, so a gzip bomb costs time up to the caller's limit, never memory. Checks each
 * member's CRC-32 and length. Not thread-safe; {@link #reset} it for each body.
 */
final class GunzipStream implements CadvisorTextParser.ChunkSource {
    private static final int FTEXT = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private enum State { HEADER, BODY, DONE }

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] in = new byte[16 * 1024];
    private CadvisorTextParser.ChunkSource source;
    private int inPos;
    private int inLim;
    private State state;
    private boolean first;
    private long memberSize;

    /** Starts a new body read from {@code source} (compressed bytes). */
    void reset(CadvisorTextParser.ChunkSource source) {
        this.source = source;
        inPos = 0;
        inLim = 0;
        state = State.HEADER;
        first = true;
    }

    /** Reads decompressed bytes into {@code out[off..off+len)}; -1 after the last member. */
    @Override
    public int read(byte[] out, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            switch (state) {
                case DONE -> {
                    return -1;
                }
                case HEADER -> {
                    if (!first && atEnd()) {
                        state = State.DONE;
                        return -1;
                    }
                    first = false;
                    header();
                    inflater.reset();
                    crc.reset();
                    memberSize = 0;
                    state = State.BODY;
                }
                case BODY -> {
                    if (inflater.needsInput()) {
                        if (inPos == inLim && !fill()) {
                            throw new EOFException("gzip body cut short");
                        }
                        inflater.setInput(in, inPos, inLim - inPos);
                        inPos = inLim;
                    }
                    int n;
                    try {
                        n = inflater.inflate(out, off, len);
                    } catch (DataFormatException e) {
                        throw new IOException("corrupt gzip body: " + e.getMessage(), e);
                    }
                    if (n > 0) {
                        crc.update(out, off, n);
                        memberSize += n;
                        return n;
                    }
                    if (inflater.finished()) {
                        inPos = inLim - inflater.getRemaining();
                        trailer();
                        state = State.HEADER;
                    } else if (inflater.needsDictionary()) {
                        throw new IOException("gzip body needs a preset dictionary");
                    }
                }
                default -> throw new IllegalStateException("BUG: gzip state " + state);
            }
        }
    }

    private void header() throws IOException {
        if (nextByte() != 0x1f || nextByte() != 0x8b) {
            throw new IOException("not gzip data (bad magic bytes)");
        }
        int method = nextByte();
        if (method != 8) {
            throw new IOException("unsupported gzip compression method " + method);
        }
        int flags = nextByte();
        if ((flags & ~(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw new IOException("reserved gzip header flags set");
        }
        skip(6); // mtime, extra flags, OS
        if ((flags & FEXTRA) != 0) {
            skip(nextByte() | nextByte() << 8);
        }
        if ((flags & FNAME) != 0) {
            while (nextByte() != 0) {
                // the original file name, unused
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (nextByte() != 0) {
                // a comment, unused
            }
        }
        if ((flags & FHCRC) != 0) {
            skip(2);
        }
    }

    private void trailer() throws IOException {
        long expectedCrc = le32();
        long expectedSize = le32();
        if (crc.getValue() != expectedCrc) {
            throw new IOException("gzip CRC-32 mismatch");
        }
        if ((memberSize & 0xffffffffL) != expectedSize) {
            throw new IOException("gzip length mismatch");
        }
    }

    private long le32() throws IOException {
        return nextByte() | (long) nextByte() << 8 | (long) nextByte() << 16 | (long) nextByte() << 24;
    }

    private void skip(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            nextByte();
        }
    }

    private int nextByte() throws IOException {
        if (inPos == inLim && !fill()) {
            throw new EOFException("gzip body cut short in its header or trailer");
        }
        return in[inPos++] & 0xff;
    }

    private boolean atEnd() throws IOException {
        return inPos == inLim && !fill();
    }

    /** Refills the (fully consumed) input buffer; false at the end of the compressed body. */
    private boolean fill() throws IOException {
        inPos = 0;
        inLim = 0;
        while (true) {
            int n = source.read(in, 0, in.length);
            if (n < 0) {
                return false;
            }
            if (n > 0) {
                inLim = n;
                return true;
            }
        }
    }
}
