package dev.netcost.webhook;

import dev.netcost.core.auth.PemFiles;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server's TLS context (TLS 1.2 and 1.3 only), rebuilt when the certificate or key file changes.
 * Each new connection takes {@link #current()}, so a rotation reaches every handshake after it while
 * connections already open finish on the old certificate: no request is dropped.
 *
 * <p>A change is seen by modification time, size and file identity (a Kubernetes Secret volume swaps
 * a symlink, so the identity changes even when the time does not). A new pair is used only when the
 * key matches the certificate, so a half-finished rotation (certificate written, key not yet) keeps
 * the old context until the key follows.
 */
final class ServerTlsReloader {
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Path certFile;
    private final Path keyFile;
    private final AtomicReference<SslContext> current = new AtomicReference<>();
    private volatile String loadedVersion = "";
    private volatile X509Certificate loadedCertificate;

    /** Loads the files now; throws when they cannot be used, which is a start-up error. */
    ServerTlsReloader(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        this.certFile = Objects.requireNonNull(certFile, "certFile");
        this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
        String version = version();
        current.set(load());
        loadedVersion = version;
    }

    SslContext current() {
        return current.get();
    }

    X509Certificate certificate() {
        return loadedCertificate;
    }

    /**
     * Rebuilds the context when a file changed since the last successful load.
     *
     * @return true when a new context is in use
     * @throws IOException or GeneralSecurityException when the changed files cannot be used (the old
     *         context stays; the next call tries again)
     */
    boolean reloadIfChanged() throws IOException, GeneralSecurityException {
        String version = version();
        if (version.equals(loadedVersion)) {
            return false;
        }
        current.set(load());
        loadedVersion = version;
        return true;
    }

    private SslContext load() throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        checkPair(key, chain.get(0).getPublicKey());
        SslContext ctx = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .protocols(PROTOCOLS)
                .build();
        loadedCertificate = chain.get(0);
        return ctx;
    }

    private void checkPair(PrivateKey key, PublicKey cert) throws GeneralSecurityException {
        if (!keyMatches(key, cert)) {
            throw new GeneralSecurityException(keyFile + " does not hold the private key of the certificate in "
                    + certFile + " (a rotation in progress? the old certificate stays in use)");
        }
    }

    /** Whether {@code key} belongs to {@code cert}: signs a probe and verifies it. */
    static boolean keyMatches(PrivateKey key, PublicKey cert) throws GeneralSecurityException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "netcost-webhook".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        try {
            v.initVerify(cert);
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // different algorithms: no match
        }
    }

    private String version() throws IOException {
        return fileVersion(certFile) + "|" + fileVersion(keyFile);
    }

    private static String fileVersion(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
    }
}
