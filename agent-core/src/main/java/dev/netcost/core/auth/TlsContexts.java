package dev.netcost.core.auth;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Client {@link SSLContext}s from PEM files, for remote-write and the kubelet. */
public final class TlsContexts {
    private TlsContexts() {
    }

    /**
     * @param caFile             trust only these CAs (null: the JDK's default trust store)
     * @param certFile           client certificate chain for mutual TLS (null: none)
     * @param keyFile            its private key
     * @param insecureSkipVerify trust any server certificate and host name
     */
    public static SSLContext client(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify)
            throws IOException, GeneralSecurityException {
        TrustManager[] trust = null;
        if (insecureSkipVerify) {
            trust = new TrustManager[] {new TrustAll()};
        } else if (caFile != null) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            List<X509Certificate> cas = PemFiles.readCertificates(caFile);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            trust = tmf.getTrustManagers();
        }
        javax.net.ssl.KeyManager[] keys = null;
        if (certFile != null && keyFile != null) {
            List<X509Certificate> chain = PemFiles.readCertificates(certFile);
            PrivateKey key = PemFiles.readPrivateKey(keyFile);
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            char[] none = new char[0];
            ks.setKeyEntry("client", key, none, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, none);
            keys = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, trust, null);
        return ctx;
    }

    /**
     * Accepts every certificate. Being an {@link X509ExtendedTrustManager}, it also replaces the JDK's
     * host-name check, which is what {@code insecureSkipVerify} promises.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
