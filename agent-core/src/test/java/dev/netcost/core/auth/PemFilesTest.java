package dev.netcost.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keys written by the real {@code openssl}, as cert-manager and kubeadm write them. */
class PemFilesTest {
    @TempDir
    Path tmp;

    /** cert-manager's ECDSA keys with the default encoding (PKCS1) are SEC1 {@code EC PRIVATE KEY} blocks. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prime256v1", "secp384r1", "secp521r1"})
    void sec1EcKey_isRead_andSignsForItsPublicKey(String curve) throws Exception {
        Path key = tmp.resolve("tls.key");
        openssl("ecparam", "-name", curve, "-genkey", "-noout", "-out", key.toString());
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        PrivateKey k = PemFiles.readPrivateKey(key);

        assertThat(k).isInstanceOf(ECPrivateKey.class);
        assertSignsFor(k, publicKeyOf(key));
    }

    @Test
    void sec1EcKey_afterAnEcParametersBlock_isRead() throws Exception {
        Path key = tmp.resolve("tls.key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString()); // writes EC PARAMETERS first
        assertThat(Files.readString(key)).startsWith("-----BEGIN EC PARAMETERS-----");

        assertSignsFor(PemFiles.readPrivateKey(key), publicKeyOf(key));
    }

    @Test
    void pkcs8AndPkcs1Keys_stillRead() throws Exception {
        Path ec = tmp.resolve("ec.key");
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec.toString());
        Path rsa = tmp.resolve("rsa.key");
        openssl("genrsa", "-traditional", "-out", rsa.toString(), "2048");
        assertThat(Files.readString(rsa)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertSignsFor(PemFiles.readPrivateKey(ec), publicKeyOf(ec));
        assertSignsFor(PemFiles.readPrivateKey(rsa), publicKeyOf(rsa));
    }

    @Test
    void sec1KeyWithoutNamedCurve_isRejectedWithAFix() throws Exception {
        Path key = tmp.resolve("explicit.key");
        Path named = tmp.resolve("named.key");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", named.toString());
        openssl("ec", "-in", named.toString(), "-param_enc", "explicit", "-out", key.toString());

        assertThatThrownBy(() -> PemFiles.readPrivateKey(key)).isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("without a named curve").hasMessageContaining("openssl");
    }

    @Test
    void truncatedSec1Key_isRejectedNamingTheSource() {
        String pem = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n";
        assertThatThrownBy(() -> PemFiles.parsePrivateKey(pem, "secret netcost/tls"))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("secret netcost/tls");
    }

    private PublicKey publicKeyOf(Path privateKey) throws Exception {
        Path pub = tmp.resolve(privateKey.getFileName() + ".pub");
        openssl("pkey", "-in", privateKey.toString(), "-pubout", "-out", pub.toString());
        String pem = Files.readString(pub, StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String alg = pem.contains("BEGIN PUBLIC KEY") && privateKey.getFileName().toString().startsWith("rsa") ? "RSA" : "EC";
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
    }

    private static void assertSignsFor(PrivateKey key, PublicKey pub) throws Exception {
        String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] data = "admission review".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(data);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(pub);
        v.update(data);
        assertThat(v.verify(sig)).as("the key read from PEM signs for openssl's public key").isTrue();
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", cmd, out).isZero();
    }
}
