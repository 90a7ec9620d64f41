package dev.netcost.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA with a server certificate for 127.0.0.1/localhost and a client certificate, made by
 * the real {@code openssl} command, as PEM files in {@code dir} (keys in PKCS#8).
 */
public record TestCertificates(Path dir, Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates c = new TestCertificates(dir, dir.resolve("ca.pem"), dir.resolve("server.pem"),
                dir.resolve("server-key.pem"), dir.resolve("client.pem"), dir.resolve("client-key.pem"));
        Path caKey = dir.resolve("ca-key.pem");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", caKey.toString());
        openssl(dir, "req", "-x509", "-new", "-key", caKey.toString(), "-subj", "/CN=netcost test CA", "-days", "2",
                "-out", c.caCert.toString());
        issue(dir, caKey, c.caCert, c.serverKey, c.serverCert, "server",
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        issue(dir, caKey, c.caCert, c.clientKey, c.clientCert, "client", "extendedKeyUsage=clientAuth\n");
        return c;
    }

    private static void issue(Path dir, Path caKey, Path caCert, Path key, Path cert, String cn, String ext)
            throws IOException, InterruptedException {
        Path csr = dir.resolve(cn + ".csr");
        Path extFile = dir.resolve(cn + ".ext");
        Files.writeString(extFile, ext, StandardCharsets.US_ASCII);
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        openssl(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + cn, "-out", csr.toString());
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extFile.toString(), "-out", cert.toString());
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }
}
