package dev.netcost.cadvisor;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the bytes of label names and values into Strings, returning the same String for the same
 * bytes across lines and scrapes: a pod's namespace, name and interface repeat in every family and
 * every scrape, so after the first scrape no label String is allocated at all. Not thread-safe.
 */
final class StringCache {
    private static final int MAX_ENTRIES = 1 << 16;
    /** Longer strings are decoded every time: label values that long are rare, and caching them would let a hostile body fill the heap. */
    private static final int MAX_CACHED_LENGTH = 256;

    private byte[][] keys = new byte[1024][];
    private String[] strings = new String[1024];
    private int size;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    /** The String for UTF-8 {@code buf[off..off+len)}, or null when the bytes are not valid UTF-8. */
    String get(byte[] buf, int off, int len) {
        if (len > MAX_CACHED_LENGTH) {
            return decode(buf, off, len);
        }
        int h = hash(buf, off, len);
        int mask = keys.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            byte[] k = keys[i];
            if (k == null) {
                String s = decode(buf, off, len);
                if (s != null) {
                    insert(i, Arrays.copyOfRange(buf, off, off + len), s);
                }
                return s;
            }
            if (k.length == len && Arrays.equals(k, 0, len, buf, off, off + len)) {
                return strings[i];
            }
        }
    }

    int size() {
        return size;
    }

    private void insert(int slot, byte[] key, String s) {
        if (size >= MAX_ENTRIES) {
            // Pods come and go: start afresh rather than grow without bound.
            Arrays.fill(keys, null);
            Arrays.fill(strings, null);
            size = 0;
            slot = hash(key, 0, key.length) & (keys.length - 1);
            while (keys[slot] != null) {
                slot = (slot + 1) & (keys.length - 1);
            }
        } else if ((size + 1) * 2 > keys.length) {
            grow();
            slot = hash(key, 0, key.length) & (keys.length - 1);
            while (keys[slot] != null) {
                slot = (slot + 1) & (keys.length - 1);
            }
        }
        keys[slot] = key;
        strings[slot] = s;
        size++;
    }

    private void grow() {
        byte[][] oldKeys = keys;
        String[] oldStrings = strings;
        keys = new byte[oldKeys.length * 2][];
        strings = new String[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            byte[] k = oldKeys[j];
            if (k != null) {
                int i = hash(k, 0, k.length) & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                strings[i] = oldStrings[j];
            }
        }
    }

    private String decode(byte[] buf, int off, int len) {
        boolean ascii = true;
        for (int i = off; i < off + len; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(buf, off, len, StandardCharsets.US_ASCII);
        }
        try {
            CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(buf, off, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int hash(byte[] buf, int off, int len) {
        int h = 1;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + buf[i];
        }
        return h ^ (h >>> 16);
    }
}
