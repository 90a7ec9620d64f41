package dev.netcost.core.auth;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Makes a private CA and the serving certificates it signs (ECDSA P-256, SHA-256), with the JDK alone,
 * for the webhook's self-managed TLS. Certificates follow RFC 5280: v3, random 128-bit serials,
 * basicConstraints, keyUsage, extendedKeyUsage serverAuth and subjectAltName DNS names on leaves.
 */
public final class CertificateIssuer {
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final String COMMON_NAME = "2.5.4.3";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXT_KEY_USAGE = "2.5.29.37";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final String SUBJECT_KEY_ID = "2.5.29.14";
    private static final String AUTHORITY_KEY_ID = "2.5.29.35";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

    private final SecureRandom random = new SecureRandom();

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public String certificatePem() {
            try {
                return pem("CERTIFICATE", certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("BUG: cannot encode a certificate we made", e);
            }
        }

        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }
    }

    /** A self-signed CA valid from {@code now} (minus 1 h of clock skew) for {@code validity}. */
    public Issued createCa(String commonName, Instant now, Duration validity) throws GeneralSecurityException {
        KeyPair kp = keyPair();
        byte[] name = name(commonName);
        byte[] ski = keyId(kp);
        List<byte[]> ext = new ArrayList<>();
        ext.add(extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))));
        ext.add(extension(KEY_USAGE, true, Der.bitString(new byte[] {(byte) 0x06}))); // keyCertSign, cRLSign
        ext.add(extension(SUBJECT_KEY_ID, false, Der.octetString(ski)));
        return sign(name, name, kp.getPublic().getEncoded(), kp.getPrivate(), kp.getPrivate(), now, validity, ext);
    }

    /** A serving certificate for {@code dnsNames}, signed by {@code ca}. */
    public Issued issueServer(Issued ca, List<String> dnsNames, Instant now, Duration validity)
            throws GeneralSecurityException {
        if (dnsNames.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one DNS name");
        }
        KeyPair kp = keyPair();
        List<byte[]> sans = new ArrayList<>();
        for (String dns : dnsNames) {
            sans.add(Der.context(2, false, dns.getBytes(StandardCharsets.US_ASCII)));
        }
        List<byte[]> ext = new ArrayList<>();
        ext.add(extension(BASIC_CONSTRAINTS, true, Der.sequence()));
        ext.add(extension(KEY_USAGE, true, new byte[] {0x03, 0x02, 0x07, (byte) 0x80})); // digitalSignature
        ext.add(extension(EXT_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH))));
        ext.add(extension(SUBJECT_ALT_NAME, false, Der.sequence(sans.toArray(new byte[0][]))));
        ext.add(extension(SUBJECT_KEY_ID, false, Der.octetString(keyId(kp))));
        ext.add(extension(AUTHORITY_KEY_ID, false,
                Der.sequence(Der.context(0, false, ca.certificate().getExtensionValue(SUBJECT_KEY_ID) == null
                        ? new byte[0] : unwrapKeyId(ca.certificate().getExtensionValue(SUBJECT_KEY_ID))))));
        byte[] issuer = ca.certificate().getSubjectX500Principal().getEncoded();
        return sign(issuer, name(dnsNames.get(0)), kp.getPublic().getEncoded(), kp.getPrivate(), ca.key(), now,
                validity, ext);
    }

    private Issued sign(byte[] issuer, byte[] subject, byte[] spki, PrivateKey ownKey, PrivateKey signer,
                        Instant now, Duration validity, List<byte[]> extensions)
            throws GeneralSecurityException {
        byte[] serial = new byte[16];
        random.nextBytes(serial);
        serial[0] &= 0x7F;
        byte[] algId = Der.sequence(Der.oid(ECDSA_SHA256));
        byte[] tbs = Der.sequence(
                Der.context(0, true, Der.smallInteger(2)),
                Der.unsignedInteger(serial),
                algId,
                issuer,
                Der.sequence(Der.time(now.minus(Duration.ofHours(1))), Der.time(now.plus(validity))),
                subject,
                spki,
                Der.context(3, true, Der.sequence(extensions.toArray(new byte[0][]))));
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(signer);
        s.update(tbs);
        byte[] der = Der.sequence(tbs, algId, Der.bitString(s.sign()));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
        return new Issued(cert, ownKey);
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    private static byte[] name(String commonName) {
        return Der.sequence(Der.set(Der.sequence(Der.oid(COMMON_NAME), Der.utf8(commonName))));
    }

    /** RFC 5280 method 1: SHA-1 of the public key bits, as every CA tool does. */
    private static byte[] keyId(KeyPair kp) throws GeneralSecurityException {
        byte[] spki = kp.getPublic().getEncoded();
        // The EC point is the last 65 bytes of a P-256 SubjectPublicKeyInfo (uncompressed form).
        byte[] point = Arrays.copyOfRange(spki, spki.length - 65, spki.length);
        return MessageDigest.getInstance("SHA-1").digest(point);
    }

    /** getExtensionValue wraps the extension value in an OCTET STRING; SKI is itself an OCTET STRING. */
    private static byte[] unwrapKeyId(byte[] extensionValue) {
        // OCTET STRING { OCTET STRING { id } } with short lengths (ids are 20 bytes).
        return Arrays.copyOfRange(extensionValue, 4, extensionValue.length);
    }

    private KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), random);
        return g.generateKeyPair();
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
