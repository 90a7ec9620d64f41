package dev.netcost.webhook;

import dev.netcost.core.auth.CertificateIssuer;
import dev.netcost.core.auth.PemFiles;
import dev.netcost.core.auth.CertificateIssuer.Issued;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's self-managed TLS: a private CA and a serving certificate kept in one Secret, the
 * {@code caBundle} of every webhook of one ValidatingWebhookConfiguration kept equal to the Secret's
 * {@code ca.crt}, and the serving pair written to files that {@link ServerTlsReloader} serves.
 *
 * <p>Each {@link #ensure()} reads the Secret and decides from it alone, so every replica converges on
 * the same CA and certificate: a missing, unusable or soon-expiring CA is replaced; a serving
 * certificate that is missing, not from the current CA, for other DNS names or soon expiring is
 * re-issued. Changes are written with the Secret's {@code resourceVersion}; when another replica wrote
 * first (409 Conflict) the round starts again from what it wrote, which is then usually reused.
 *
 * <p>CA rotation keeps the API server's trust unbroken: {@code ca.crt} (and so {@code caBundle}) lists
 * the signing CA first and then every earlier CA until it expires. A serving certificate never outlives
 * the CA that signed it, so whichever certificate a replica still serves, its CA is in the bundle. The
 * {@code caBundle} is brought in line before the files change, so a replica never serves a certificate
 * the API server cannot verify yet.
 *
 * <p>The Secret must exist (the chart creates it empty): RBAC cannot narrow {@code create} to one name,
 * so the webhook only needs {@code get}/{@code update} on that Secret and on that configuration.
 */
final class WebhookCertificateManager {
    private static final Logger log = LoggerFactory.getLogger(WebhookCertificateManager.class);

    static final String CA_CRT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String TLS_CRT = "tls.crt";
    static final String TLS_KEY = "tls.key";
    static final String CA_COMMON_NAME = "netcost-webhook-ca";
    private static final int MAX_ROUNDS = 10;

    private final KubernetesClient client;
    private final SelfManagedTlsConfig config;
    private final String secretNamespace;
    private final List<String> dnsNames;
    private final Clock clock;
    private final CertificateIssuer issuer = new CertificateIssuer();
    private volatile Runnable beforeSecretUpdate = () -> { };

    WebhookCertificateManager(KubernetesClient client, SelfManagedTlsConfig config, String secretNamespace,
                              String serviceNamespace, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.config = Objects.requireNonNull(config, "config");
        this.secretNamespace = Objects.requireNonNull(secretNamespace, "secretNamespace");
        this.dnsNames = SelfManagedTlsConfig.dnsNames(config.serviceName(), serviceNamespace);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    List<String> dnsNames() {
        return dnsNames;
    }

    // VisibleForTesting: runs between reading the Secret and writing it, to make a race deterministic
    void beforeSecretUpdate(Runnable hook) {
        this.beforeSecretUpdate = Objects.requireNonNull(hook, "hook");
    }

    /**
     * What one {@link #ensure()} did.
     *
     * @param ca               the signing CA now in the Secret
     * @param serving          the serving certificate now in the Secret and the files
     * @param caCreated        a new CA was made
     * @param certificateIssued a new serving certificate was issued
     * @param secretUpdated    the Secret was written
     * @param webhooksPatched  webhooks whose {@code caBundle} was set
     * @param filesWritten     the serving files changed
     */
    record Outcome(X509Certificate ca, X509Certificate serving, boolean caCreated, boolean certificateIssued,
                   boolean secretUpdated, int webhooksPatched, boolean filesWritten) {
    }

    /** A problem the round could not get past; {@code code} is the API's HTTP status, 0 for others. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        SetupException(String message, int code, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        int code() {
            return code;
        }
    }

    /**
     * Makes the Secret hold a usable CA and serving certificate, the configuration's {@code caBundle}
     * match it, and the files hold the serving pair — in that order.
     */
    Outcome ensure() throws SetupException {
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Secret secret = readSecret();
            Plan plan = plan(secret);
            if (plan.changed()) {
                beforeSecretUpdate.run();
                try {
                    secret = client.secrets().inNamespace(secretNamespace).resource(plan.apply(secret)).update();
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409) {
                        log.debug("Secret {}/{} changed meanwhile (another replica?); reading it again",
                                secretNamespace, config.secretName());
                        continue;
                    }
                    throw apiError("update the Secret " + secretNamespace + "/" + config.secretName(), e, secretFix());
                }
                log.info("Secret {}/{} updated: {}", secretNamespace, config.secretName(), plan.reason());
            }
            int patched = syncCaBundle(plan.caBundle(), secret.getMetadata().getResourceVersion());
            if (patched < 0) {
                continue; // the Secret moved on while we looked at the configuration: start again from it
            }
            boolean written = writeFiles(plan);
            return new Outcome(plan.ca().certificate(), plan.serving().certificate(), plan.caCreated(),
                    plan.certificateIssued(), plan.changed(), patched, written);
        }
        throw new SetupException("the Secret " + secretNamespace + "/" + config.secretName() + " or the"
                + " ValidatingWebhookConfiguration " + config.webhookConfigurationName() + " kept changing under "
                + MAX_ROUNDS + " attempts; will try again (is another controller rewriting them?)", 409, null);
    }

    // ---- the decision, from the Secret alone

    /** What the Secret should hold; PEM texts are the stored ones when reused, so nothing is rewritten needlessly. */
    private record Plan(Issued ca, Issued serving, String caPem, String caKeyPem, String tlsPem, String tlsKeyPem,
                        boolean caCreated, boolean certificateIssued, boolean bundleChanged, String reason) {
        boolean changed() {
            return caCreated || certificateIssued || bundleChanged;
        }

        String caBundle() {
            return Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
        }

        Secret apply(Secret s) {
            Map<String, String> data = new LinkedHashMap<>();
            if (s.getData() != null) {
                data.putAll(s.getData()); // keys of others stay
            }
            data.put(CA_CRT, b64(caPem));
            data.put(CA_KEY, b64(caKeyPem));
            data.put(TLS_CRT, b64(tlsPem));
            data.put(TLS_KEY, b64(tlsKeyPem));
            // The resourceVersion read stays in the object: the update fails with 409 if the Secret moved on.
            return new SecretBuilder(s).withData(data).withStringData(null).build();
        }

        private static String b64(String pem) {
            return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private Plan plan(Secret secret) throws SetupException {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        Instant now = clock.instant();
        List<String> reasons = new ArrayList<>();

        List<X509Certificate> storedCas = certificates(data.get(CA_CRT));
        PrivateKey storedCaKey = privateKey(data.get(CA_KEY));
        String caProblem = caProblem(storedCas, storedCaKey, now);
        Issued ca;
        boolean caCreated = caProblem != null;
        try {
            if (caCreated) {
                ca = issuer.createCa(CA_COMMON_NAME, now, config.caValidity());
                reasons.add("new CA (" + caProblem + ")");
            } else {
                ca = new Issued(storedCas.get(0), storedCaKey);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("BUG: cannot make a CA with the JDK's EC provider", e);
        }

        // The signing CA first, then every earlier CA until it expires (its certificates may still be served).
        List<X509Certificate> trusted = new ArrayList<>();
        trusted.add(ca.certificate());
        for (X509Certificate c : storedCas) {
            if (!trusted.contains(c) && c.getNotAfter().toInstant().isAfter(now)) {
                trusted.add(c);
            }
        }
        boolean bundleChanged = !trusted.equals(storedCas);
        String caPem = !bundleChanged ? text(data.get(CA_CRT)) : pem(trusted);
        if (bundleChanged && !caCreated) {
            reasons.add("expired CAs dropped from ca.crt");
        }

        X509Certificate storedLeaf = first(certificates(data.get(TLS_CRT)));
        PrivateKey storedLeafKey = privateKey(data.get(TLS_KEY));
        String leafProblem = caCreated ? "new CA" : leafProblem(storedLeaf, storedLeafKey, ca.certificate(), now);
        Issued serving;
        if (leafProblem != null) {
            Duration caLeft = Duration.between(now, ca.certificate().getNotAfter().toInstant());
            Duration validity = config.certValidity().compareTo(caLeft) < 0 ? config.certValidity() : caLeft;
            try {
                serving = issuer.issueServer(ca, dnsNames, now, validity);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("BUG: cannot issue a certificate with the JDK's EC provider", e);
            }
            reasons.add("new serving certificate for " + dnsNames + " valid until "
                    + serving.certificate().getNotAfter().toInstant() + " (" + leafProblem + ")");
        } else {
            serving = new Issued(storedLeaf, storedLeafKey);
        }
        return new Plan(ca, serving, caPem,
                caCreated ? ca.keyPem() : text(data.get(CA_KEY)),
                leafProblem != null ? serving.certificatePem() : text(data.get(TLS_CRT)),
                leafProblem != null ? serving.keyPem() : text(data.get(TLS_KEY)),
                caCreated, leafProblem != null, bundleChanged, String.join("; ", reasons));
    }

    /** Why the stored CA cannot sign (null: it can). */
    private String caProblem(List<X509Certificate> cas, PrivateKey key, Instant now) {
        if (cas.isEmpty()) {
            return "no CA in " + CA_CRT;
        }
        X509Certificate ca = cas.get(0);
        if (key == null) {
            return "no usable key in " + CA_KEY;
        }
        if (ca.getBasicConstraints() < 0) {
            return "the first certificate of " + CA_CRT + " is not a CA";
        }
        if (!matches(key, ca)) {
            return CA_KEY + " does not belong to " + CA_CRT;
        }
        if (!now.isBefore(renewAt(ca))) {
            return "the CA expires at " + ca.getNotAfter().toInstant();
        }
        return null;
    }

    /** Why the stored serving certificate must be re-issued (null: it can be served). */
    private String leafProblem(X509Certificate leaf, PrivateKey key, X509Certificate ca, Instant now) {
        if (leaf == null) {
            return "no certificate in " + TLS_CRT;
        }
        if (key == null || !matches(key, leaf)) {
            return "no matching key in " + TLS_KEY;
        }
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            return "not signed by the current CA";
        }
        Set<String> names = sans(leaf);
        if (!names.equals(new HashSet<>(dnsNames))) {
            return "its DNS names " + names + " differ";
        }
        if (!now.isBefore(renewAt(leaf))) {
            return "it expires at " + leaf.getNotAfter().toInstant();
        }
        return null;
    }

    private Instant renewAt(X509Certificate c) {
        return c.getNotAfter().toInstant().minus(config.renewBefore());
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) {
        try {
            return ServerTlsReloader.keyMatches(key, cert.getPublicKey());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Set<String> sans(X509Certificate c) {
        Set<String> out = new HashSet<>();
        try {
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> san : c.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // unreadable names: an empty set, which differs from ours
        }
        return out;
    }

    // ---- the API

    private Secret readSecret() throws SetupException {
        Secret s;
        try {
            s = client.secrets().inNamespace(secretNamespace).withName(config.secretName()).get();
        } catch (KubernetesClientException e) {
            throw apiError("read the Secret " + secretNamespace + "/" + config.secretName(), e, secretFix());
        }
        if (s == null) {
            throw new SetupException("the Secret " + secretNamespace + "/" + config.secretName() + " does not exist:"
                    + " netcost webhook fills it but does not create it, since RBAC cannot narrow 'create' to one name"
                    + " (possible fixes: install the chart with webhook.tls.mode=selfManaged, which creates it empty,"
                    + " or create it yourself: kubectl -n " + secretNamespace + " create secret generic "
                    + config.secretName() + "; check webhook.selfManagedTls.secretName and secretNamespace; the"
                    + " ServiceAccount needs get and update on it)", 404, null);
        }
        return s;
    }

    /**
     * Sets every webhook's {@code caBundle} to {@code caBundle}, unless the Secret moved on from
     * {@code secretVersion} meanwhile (then nothing is written and -1 returned, so the caller starts
     * again from the newer Secret instead of putting back an older bundle).
     *
     * @return how many webhooks were patched, or -1
     */
    private int syncCaBundle(String caBundle, String secretVersion) throws SetupException {
        String name = config.webhookConfigurationName();
        for (int attempt = 1; attempt <= MAX_ROUNDS; attempt++) {
            ValidatingWebhookConfiguration vwc;
            try {
                vwc = client.admissionRegistration().v1().validatingWebhookConfigurations().withName(name).get();
            } catch (KubernetesClientException e) {
                throw apiError("read the ValidatingWebhookConfiguration " + name, e, configurationFix());
            }
            if (vwc == null) {
                throw new SetupException("the ValidatingWebhookConfiguration " + name + " does not exist, so no caBundle"
                        + " can be kept (possible fixes: install the chart's webhook (webhook.enabled=true); check"
                        + " webhook.selfManagedTls.webhookConfigurationName)", 404, null);
            }
            List<ValidatingWebhook> drifted = vwc.getWebhooks() == null ? List.of() : vwc.getWebhooks().stream()
                    .filter(w -> w.getClientConfig() != null && !caBundle.equals(w.getClientConfig().getCaBundle()))
                    .toList();
            if (drifted.isEmpty()) {
                return 0;
            }
            if (!secretVersion.equals(currentSecretVersion())) {
                return -1;
            }
            drifted.forEach(w -> w.getClientConfig().setCaBundle(caBundle));
            try {
                client.admissionRegistration().v1().validatingWebhookConfigurations().resource(vwc).update();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    continue;
                }
                throw apiError("update the ValidatingWebhookConfiguration " + name, e, configurationFix());
            }
            log.info("caBundle of {} webhook(s) of the ValidatingWebhookConfiguration {} set to the CA in Secret {}/{}"
                    + " ({})", drifted.size(), name, secretNamespace, config.secretName(),
                    drifted.stream().map(ValidatingWebhook::getName).toList());
            return drifted.size();
        }
        throw new SetupException("the ValidatingWebhookConfiguration " + name + " kept changing under " + MAX_ROUNDS
                + " attempts; will try again (is another controller rewriting its caBundle? possible fixes: remove"
                + " cert-manager.io/inject-ca-from from it, or use webhook.tls.mode=certManager)", 409, null);
    }

    private String currentSecretVersion() throws SetupException {
        return readSecret().getMetadata().getResourceVersion();
    }

    private String secretFix() {
        return "possible fixes: a Role in " + secretNamespace + " allowing get, update and patch on secrets with"
                + " resourceNames [" + config.secretName() + "], bound to the webhook's ServiceAccount (the chart's"
                + " webhook-rbac.yaml has it with webhook.tls.mode=selfManaged); check the API server is reachable";
    }

    private String configurationFix() {
        return "possible fixes: a ClusterRole allowing get, update and patch on"
                + " validatingwebhookconfigurations.admissionregistration.k8s.io with resourceNames ["
                + config.webhookConfigurationName() + "], bound to the webhook's ServiceAccount (the chart's"
                + " webhook-rbac.yaml has it with webhook.tls.mode=selfManaged); check the API server is reachable";
    }

    private static SetupException apiError(String what, KubernetesClientException e, String fix) {
        String reason = e.getCode() == 403 ? "forbidden" : e.getCode() <= 0 ? "API unreachable" : "HTTP " + e.getCode();
        String detail = e.getMessage() == null ? "" : e.getMessage();
        if (detail.length() > 1024) {
            detail = detail.substring(0, 1024) + "...";
        }
        return new SetupException("cannot " + what + " (" + reason + "): " + detail + " (" + fix + ")", e.getCode(), e);
    }

    // ---- the files

    /** Writes the pair (key first: the reloader takes a new certificate only once its key is there) and ca.crt. */
    private boolean writeFiles(Plan plan) throws SetupException {
        Path dir = config.certDir();
        try {
            Files.createDirectories(dir);
            boolean key = write(config.keyFile(), plan.tlsKeyPem(), true);
            boolean cert = write(config.certFile(), plan.tlsPem(), false);
            write(dir.resolve(CA_CRT), plan.caPem(), false);
            if (key || cert) {
                log.info("serving certificate written to {} (valid until {}, DNS names {})", dir,
                        plan.serving().certificate().getNotAfter().toInstant(), dnsNames);
            }
            return key || cert;
        } catch (IOException e) {
            throw new SetupException("cannot write the serving certificate to " + dir + ": " + e
                    + " (possible fixes: webhook.selfManagedTls.certDir must be writable; the chart mounts an emptyDir"
                    + " at /var/lib/netcost)", 0, e);
        }
    }

    private static boolean write(Path file, String text, boolean secret) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
            return false;
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return true;
    }

    // ---- PEM

    private static String text(String base64) {
        return new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.US_ASCII);
    }

    /** The certificates in a base64 Secret value; empty when absent or unreadable. */
    private static List<X509Certificate> certificates(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return List.of();
        }
        try {
            return PemFiles.parseCertificates(text(base64), "the webhook's TLS Secret");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            log.warn("unreadable certificate in the webhook's TLS Secret, replacing it: {}", e.toString());
            return List.of();
        }
    }

    private static X509Certificate first(List<X509Certificate> certs) {
        return certs.isEmpty() ? null : certs.get(0);
    }

    /** The private key (PKCS#8, as {@link CertificateIssuer} writes it) in a base64 Secret value; null when unusable. */
    private static PrivateKey privateKey(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return null;
        }
        try {
            return PemFiles.parsePrivateKey(text(base64), "the webhook's TLS Secret");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String pem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            sb.append(new Issued(c, null).certificatePem());
        }
        return sb.toString();
    }
}
