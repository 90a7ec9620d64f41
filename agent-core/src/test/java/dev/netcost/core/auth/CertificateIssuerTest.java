package dev.netcost.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateIssuerTest {
    private final CertificateIssuer issuer = new CertificateIssuer();
    private final Instant now = Instant.now();

    @TempDir
    Path tmp;

    @Test
    void caAndLeafVerify_andCarryTheRfc5280Extensions() throws Exception {
        CertificateIssuer.Issued ca = issuer.createCa("netcost webhook CA", now, Duration.ofDays(3650));
        CertificateIssuer.Issued leaf = issuer.issueServer(ca, List.of("netcost-webhook.netcost-system.svc",
                "netcost-webhook.netcost-system.svc.cluster.local"), now, Duration.ofDays(365));

        ca.certificate().verify(ca.certificate().getPublicKey());
        leaf.certificate().verify(ca.certificate().getPublicKey());
        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.certificate().getSubjectAlternativeNames().stream().map(l -> String.valueOf(l.get(1))).toList())
                .containsExactly("netcost-webhook.netcost-system.svc", "netcost-webhook.netcost-system.svc.cluster.local");
        assertThat(leaf.certificate().getIssuerX500Principal()).isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(leaf.certificate().getNotAfter().toInstant()).isAfter(now.plus(Duration.ofDays(364)));
        assertThatThrownBy(() -> leaf.certificate().checkValidity(java.util.Date.from(now.plus(Duration.ofDays(400)))))
                .isInstanceOf(CertificateExpiredException.class);
    }

    @Test
    void pemOutputIsReadBackByPemFiles_andVerifiedByOpenssl() throws Exception {
        CertificateIssuer.Issued ca = issuer.createCa("ca", now, Duration.ofDays(30));
        CertificateIssuer.Issued leaf = issuer.issueServer(ca, List.of("localhost"), now, Duration.ofDays(7));
        Path caFile = tmp.resolve("ca.pem");
        Path certFile = tmp.resolve("tls.crt");
        Path keyFile = tmp.resolve("tls.key");
        Files.writeString(caFile, ca.certificatePem());
        Files.writeString(certFile, leaf.certificatePem());
        Files.writeString(keyFile, leaf.keyPem());
        assertThat(PemFiles.readCertificates(certFile).get(0)).isEqualTo(leaf.certificate());
        assertThat(PemFiles.readPrivateKey(keyFile).getEncoded()).isEqualTo(leaf.key().getEncoded());

        Process p = new ProcessBuilder("openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                "-CAfile", caFile.toString(), certFile.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains(": OK");
    }

    @Test
    void aRealTlsHandshakeTrustsTheIssuedChain_withHostnameCheck() throws Exception {
        CertificateIssuer.Issued ca = issuer.createCa("ca", now, Duration.ofDays(30));
        CertificateIssuer.Issued leaf = issuer.issueServer(ca, List.of("localhost"), now, Duration.ofDays(7));
        Path caFile = tmp.resolve("ca.pem");
        Files.writeString(caFile, ca.certificatePem());

        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setKeyEntry("k", leaf.key(), new char[0], new X509Certificate[] {leaf.certificate(), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);

        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = ss.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("hello".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the client side asserts
                }
            });
            t.start();
            SSLContext client = TlsContexts.client(caFile, null, null, false);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", ss.getLocalPort())) {
                SSLParameters params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(params);
                InputStream in = s.getInputStream();
                assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("hello");
            }
            t.join(10_000);
        }
    }
}
