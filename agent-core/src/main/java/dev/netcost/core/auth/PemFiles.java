package dev.netcost.core.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys without extra libraries: PKCS#8, PKCS#1 RSA, and SEC1 EC
 * ({@code EC PRIVATE KEY}, what cert-manager and Go's {@code x509.MarshalECPrivateKey} write for ECDSA).
 */
public final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private PemFiles() {
    }

    public static List<X509Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        return parseCertificates(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * The certificates in PEM text (e.g. a Secret's value).
     *
     * @param source what the text is, for error messages
     */
    public static List<X509Certificate> parseCertificates(String pem, String source) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (Block b : blocks(pem)) {
            if (b.type.equals("CERTIFICATE")) {
                out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der)));
            }
        }
        if (out.isEmpty()) {
            throw new GeneralSecurityException("no PEM CERTIFICATE block in " + source);
        }
        return out;
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        return parsePrivateKey(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /**
     * The first private key in PEM text.
     *
     * @param source what the text is, for error messages
     */
    public static PrivateKey parsePrivateKey(String pem, String source) throws GeneralSecurityException {
        for (Block b : blocks(pem)) {
            switch (b.type) {
                case "PRIVATE KEY":
                    return pkcs8(b.der, source);
                case "RSA PRIVATE KEY":
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1Rsa(b.der)));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException(source + " holds an encrypted key; netcost needs it unencrypted"
                            + " (openssl pkcs8 -topk8 -nocrypt)");
                case "EC PRIVATE KEY":
                    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(wrapSec1Ec(b.der, source)));
                default:
                    break;
            }
        }
        throw new GeneralSecurityException("no PEM PRIVATE KEY block in " + source);
    }

    private static PrivateKey pkcs8(byte[] der, String source) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported private key algorithm in " + source);
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
    private static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
        byte[] algId = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
            0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octet = derWrap((byte) 0x04, pkcs1);
        byte[] body = new byte[version.length + algId.length + octet.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algId, 0, body, version.length, algId.length);
        System.arraycopy(octet, 0, body, version.length + algId.length, octet.length);
        return derWrap((byte) 0x30, body);
    }

    private static final String EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1";

    /**
     * Wraps a SEC1 ECPrivateKey (RFC 5915: version 1, the key, [0] the named curve, [1] the public key)
     * in a PKCS#8 PrivateKeyInfo whose algorithm is id-ecPublicKey with the key's own curve.
     */
    private static byte[] wrapSec1Ec(byte[] sec1, String source) throws GeneralSecurityException {
        byte[] curve = null;
        try {
            int[] outer = header(sec1, 0);
            if ((sec1[0] & 0xff) != Der.SEQUENCE) {
                throw new IllegalArgumentException("not a SEQUENCE");
            }
            int end = outer[1] + outer[0];
            for (int at = outer[1]; at < end; ) {
                int[] h = header(sec1, at);
                if ((sec1[at] & 0xff) == 0xa0) { // [0] parameters: the namedCurve OID, as a full TLV
                    curve = java.util.Arrays.copyOfRange(sec1, h[1], h[1] + h[0]);
                }
                at = h[1] + h[0];
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new GeneralSecurityException(source + " holds an EC PRIVATE KEY block that is not valid SEC1 DER", e);
        }
        if (curve == null || curve.length == 0 || curve[0] != 0x06) {
            throw new GeneralSecurityException(source + " holds an EC PRIVATE KEY without a named curve; write it with"
                    + " its curve (openssl ec -param_enc named_curve) or as PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
        }
        return Der.sequence(Der.smallInteger(0), Der.sequence(Der.oid(EC_PUBLIC_KEY_OID), curve), Der.octetString(sec1));
    }

    /** The DER header at {@code at}: {content length, content offset}. */
    private static int[] header(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {first, at + 2};
        }
        int n = first & 0x7f;
        if (n == 0 || n > 3) {
            throw new IllegalArgumentException("unsupported DER length");
        }
        int len = 0;
        for (int i = 0; i < n; i++) {
            len = (len << 8) | (der[at + 2 + i] & 0xff);
        }
        if (at + 2 + n + len > der.length) {
            throw new IllegalArgumentException("DER length past the end");
        }
        return new int[] {len, at + 2 + n};
    }

    private static byte[] derWrap(byte tag, byte[] content) {
        int len = content.length;
        byte[] lenBytes;
        if (len < 0x80) {
            lenBytes = new byte[] {(byte) len};
        } else if (len < 0x100) {
            lenBytes = new byte[] {(byte) 0x81, (byte) len};
        } else if (len < 0x10000) {
            lenBytes = new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
        } else {
            lenBytes = new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
        }
        byte[] out = new byte[1 + lenBytes.length + len];
        out[0] = tag;
        System.arraycopy(lenBytes, 0, out, 1, lenBytes.length);
        System.arraycopy(content, 0, out, 1 + lenBytes.length, len);
        return out;
    }

    private record Block(String type, byte[] der) {
    }

    private static List<Block> blocks(String text) {
        Matcher m = BLOCK.matcher(text);
        List<Block> out = new ArrayList<>();
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }
}
