import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Writes the Java trust store (lib/security/cacerts, PKCS#12, password "changeit" as the JDK's) from a
 * PEM bundle: the image's Debian ca-certificates, so remote write over HTTPS trusts what the OS trusts.
 * Usage: java CaCerts.java /etc/ssl/certs/ca-certificates.crt out/cacerts
 */
public final class CaCerts {
    public static void main(String[] args) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int n = 0;
        try (FileInputStream in = new FileInputStream(args[0])) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                X509Certificate x = (X509Certificate) c;
                ks.setCertificateEntry("debian-" + n++ + "-" + Integer.toHexString(x.getSubjectX500Principal().hashCode()), x);
            }
        }
        if (n == 0) {
            throw new IllegalStateException("no certificate in " + args[0]);
        }
        try (FileOutputStream out = new FileOutputStream(args[1])) {
            ks.store(out, "changeit".toCharArray());
        }
        System.out.println(n + " CA certificates → " + args[1]);
    }
}
