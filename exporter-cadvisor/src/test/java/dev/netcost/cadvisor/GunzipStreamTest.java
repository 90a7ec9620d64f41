package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming gunzip against gzip written by the JDK and by hand (RFC 1952 header flags), in any chunking. */
class GunzipStreamTest {
    private static final byte[] TEXT = ("container_network_receive_bytes_total{pod=\"a\"} 1\n".repeat(3000))
            .getBytes(StandardCharsets.UTF_8);

    private static byte[] jdkGzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] deflateRaw(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    /** A member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC) and FTEXT set. */
    private static byte[] memberWithEveryHeaderField(byte[] data) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 1 | 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3});
        byte[] extra = {'A', 'P', 3, 0, 1, 2, 3};
        h.write(extra.length);
        h.write(0);
        h.writeBytes(extra);
        h.writeBytes("metrics.txt\0".getBytes(StandardCharsets.ISO_8859_1));
        h.writeBytes("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        CRC32 headerCrc = new CRC32();
        headerCrc.update(h.toByteArray());
        h.write((int) headerCrc.getValue() & 0xff);
        h.write((int) (headerCrc.getValue() >>> 8) & 0xff);
        h.writeBytes(deflateRaw(data));
        CRC32 crc = new CRC32();
        crc.update(data);
        le32(h, crc.getValue());
        le32(h, data.length);
        return h.toByteArray();
    }

    private static void le32(ByteArrayOutputStream out, long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
    }

    /** Everything {@code gunzip} gives, read {@code outChunk} bytes at a time, from a source of {@code inChunk}. */
    private static byte[] inflate(GunzipStream gunzip, byte[] gz, int inChunk, int outChunk) throws IOException {
        gunzip.reset(CadvisorTextParserTest.chunks(gz, inChunk));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[outChunk];
        for (int n; (n = gunzip.read(buf, 0, buf.length)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {1, 3, 8, 1000, 1 << 20})
    void inflatesWhatTheJdkWrote_inAnyChunking_onOneReusedInstance(int chunk) throws IOException {
        GunzipStream gunzip = new GunzipStream();
        byte[] gz = jdkGzip(TEXT);
        for (int round = 0; round < 2; round++) {
            assertThat(inflate(gunzip, gz, chunk, chunk)).isEqualTo(TEXT);
            assertThat(inflate(gunzip, gz, chunk, 7)).isEqualTo(TEXT);
        }
    }

    @Test
    void skipsEveryOptionalHeaderField() throws IOException {
        byte[] gz = memberWithEveryHeaderField(TEXT);
        assertThat(inflate(new GunzipStream(), gz, 5, 4096)).isEqualTo(TEXT);
    }

    @Test
    void readsEveryMember_includingAnEmptyOne() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.writeBytes(jdkGzip(Arrays.copyOfRange(TEXT, 0, 100)));
        gz.writeBytes(jdkGzip(new byte[0]));
        gz.writeBytes(memberWithEveryHeaderField(Arrays.copyOfRange(TEXT, 100, TEXT.length)));
        assertThat(inflate(new GunzipStream(), gz.toByteArray(), 11, 999)).isEqualTo(TEXT);
    }

    @Test
    void incompressibleDataLargerThanTheInputBuffer_isReadWhole() throws IOException {
        byte[] random = new byte[200_000];
        new Random(14).nextBytes(random);
        assertThat(inflate(new GunzipStream(), jdkGzip(random), 65_536, 65_536)).isEqualTo(random);
    }

    @Test
    void aDamagedBody_isAnError_neverQuietlyShort() throws IOException {
        byte[] gz = jdkGzip(TEXT);
        byte[] badCrc = gz.clone();
        badCrc[gz.length - 8] ^= 1;
        assertThatThrownBy(() -> inflate(new GunzipStream(), badCrc, 100, 100)).hasMessageContaining("CRC-32");
        byte[] badLength = gz.clone();
        badLength[gz.length - 4] ^= 1;
        assertThatThrownBy(() -> inflate(new GunzipStream(), badLength, 100, 100)).hasMessageContaining("length");
        for (int cut : new int[] {5, gz.length / 2, gz.length - 3}) {
            assertThatThrownBy(() -> inflate(new GunzipStream(), Arrays.copyOf(gz, cut), 100, 100))
                    .as("cut at %d", cut).isInstanceOf(EOFException.class);
        }
        assertThatThrownBy(() -> inflate(new GunzipStream(), TEXT, 100, 100)).hasMessageContaining("magic");
        byte[] trailingGarbage = Arrays.copyOf(gz, gz.length + 2);
        assertThatThrownBy(() -> inflate(new GunzipStream(), trailingGarbage, 100, 100)).isInstanceOf(IOException.class);
    }
}
