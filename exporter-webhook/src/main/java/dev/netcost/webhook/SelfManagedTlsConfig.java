package dev.netcost.webhook;

import dev.netcost.core.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code webhook.selfManagedTls} section: the webhook keeps its own CA and serving certificate in
 * one Secret and the {@code caBundle} of one ValidatingWebhookConfiguration in sync with it
 * ({@link WebhookCertificateManager}); documented in docs/configuration.md and docs/webhook.md.
 *
 * @param enabled                  manage the certificate; off by default (certificate files given instead)
 * @param secretName               the Secret holding {@code ca.crt}, {@code ca.key}, {@code tls.crt}, {@code tls.key};
 *                                 it must exist (RBAC cannot narrow {@code create} to one name)
 * @param secretNamespace          its namespace; empty: the pod's own
 * @param webhookConfigurationName the ValidatingWebhookConfiguration whose webhooks get the {@code caBundle}
 * @param serviceName              the Service the API server calls, for the certificate's DNS names
 * @param serviceNamespace         its namespace; empty: the pod's own
 * @param certDir                  where the serving pair is written for the server ({@code tls.crt}, {@code tls.key})
 * @param caValidity               lifetime of a new CA
 * @param certValidity             lifetime of a new serving certificate (never beyond its CA's)
 * @param renewBefore              renew a certificate (or the CA) this long before it expires
 * @param checkInterval            time between checks of the Secret, the expiry and the {@code caBundle}
 */
public record SelfManagedTlsConfig(boolean enabled, String secretName, String secretNamespace,
                                   String webhookConfigurationName, String serviceName, String serviceNamespace,
                                   Path certDir, Duration caValidity, Duration certValidity, Duration renewBefore,
                                   Duration checkInterval) {
    public static final SelfManagedTlsConfig DEFAULT = new SelfManagedTlsConfig(false, "netcost-webhook-tls", "",
            "netcost-webhook", "netcost-webhook", "", Path.of("/var/lib/netcost/tls"), Duration.ofDays(1825),
            Duration.ofDays(365), Duration.ofDays(30), Duration.ofMinutes(5));

    /** A DNS-1123 subdomain (Secret and configuration names). */
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** A DNS-1123 label (Service names and namespaces). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** The serving certificate's DNS names: the Service's in-cluster names. */
    static List<String> dnsNames(String serviceName, String serviceNamespace) {
        String base = serviceName + "." + serviceNamespace + ".svc";
        return List.of(base, base + ".cluster.local");
    }

    Path certFile() {
        return certDir.resolve("tls.crt");
    }

    Path keyFile() {
        return certDir.resolve("tls.key");
    }

    static SelfManagedTlsConfig parse(ConfigNode n) {
        SelfManagedTlsConfig d = DEFAULT;
        SelfManagedTlsConfig c = new SelfManagedTlsConfig(
                n.bool("enabled", d.enabled()),
                n.string("secretName", d.secretName()),
                n.string("secretNamespace", d.secretNamespace()),
                n.string("webhookConfigurationName", d.webhookConfigurationName()),
                n.string("serviceName", d.serviceName()),
                n.string("serviceNamespace", d.serviceNamespace()),
                n.path("certDir", d.certDir()),
                n.duration("caValidity", d.caValidity(), Duration.ofHours(2)),
                n.duration("certValidity", d.certValidity(), Duration.ofHours(1)),
                n.duration("renewBefore", d.renewBefore(), Duration.ofMinutes(1)),
                n.duration("checkInterval", d.checkInterval(), Duration.ofMillis(100)));
        name(n, "secretName", c.secretName(), SUBDOMAIN, 253, false);
        name(n, "secretNamespace", c.secretNamespace(), LABEL, 63, true);
        name(n, "webhookConfigurationName", c.webhookConfigurationName(), SUBDOMAIN, 253, false);
        name(n, "serviceName", c.serviceName(), LABEL, 63, false);
        name(n, "serviceNamespace", c.serviceNamespace(), LABEL, 63, true);
        if (c.certValidity().compareTo(c.caValidity()) > 0) {
            n.error("certValidity", "must not be longer than caValidity (a certificate never outlives its CA)");
        }
        if (c.renewBefore().compareTo(c.certValidity()) >= 0) {
            n.error("renewBefore", "must be shorter than certValidity, else every check renews");
        }
        if (c.renewBefore().multipliedBy(2).compareTo(c.caValidity()) > 0) {
            n.error("renewBefore", "must be at most half of caValidity, so a CA serves for a while before it is replaced");
        }
        n.finish();
        return c;
    }

    private static void name(ConfigNode n, String key, String value, Pattern p, int max, boolean mayBeEmpty) {
        if (value.isEmpty() && mayBeEmpty) {
            return;
        }
        if (value.isEmpty() || value.length() > max || !p.matcher(value).matches()) {
            n.error(key, "'" + value + "' is not a valid Kubernetes name (lower-case letters, digits and '-', at most "
                    + max + " characters)");
        }
    }
}
