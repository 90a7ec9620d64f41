package dev.netcost.report;

import dev.netcost.core.auth.SigV4Config;
import dev.netcost.core.config.Durations;
import dev.netcost.report.measure.Grouping;
import dev.netcost.report.measure.Window;
import dev.netcost.report.output.ReportFormat;
import dev.netcost.report.prometheus.PrometheusSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed {@code netcost report} command line; every problem is collected and reported at once.
 *
 * @param prometheus how to reach the Prometheus HTTP API
 * @param window     {@code --start} .. {@code --end}
 * @param cur        {@code --cur} files or folders; empty for list prices
 * @param grouping   {@code --by}
 * @param format     {@code --format}
 * @param out        {@code --out}, or null for standard output
 * @param cluster    {@code --cluster}, or null
 * @param precision  {@code --precision}: decimal places of dollar amounts
 * @param chunk      {@code --chunk}: the longest span one query covers
 * @param progress   false with {@code --no-progress}
 */
public record ReportOptions(PrometheusSettings prometheus, Window window, List<Path> cur, Grouping grouping,
                            ReportFormat format, Path out, String cluster, int precision, Duration chunk,
                            boolean progress) {

    static final String USAGE = """
            usage: netcost report --prometheus URL --start TIME --end TIME [--cur FILE_OR_DIR]...
                                  [--by namespace|workload|label:KEY] [--format table|csv|json|html] [--out FILE]
              --prometheus URL        the Prometheus HTTP API: Prometheus, VictoriaMetrics, Thanos, or Mimir's
                                      /prometheus prefix (netcost's raw series; no recording rules needed)
              --start TIME, --end TIME  the window, whole hours in UTC: 2026-11-30T00:00:00Z, or 2026-11-30 (midnight)
              --cur FILE_OR_DIR       the AWS bill: CUR 2.0 / Data Exports Parquet, legacy CUR CSV or CSV.gz, a file
                                      or a folder of them (repeatable). Without it: list prices from netcost_price_*
              --by KEY                namespace (default), workload, or label:KEY (an allow-listed pod label)
              --format FORMAT         table (default), csv, json or html (one self-contained file)
              --out FILE              write the report here (default: standard output)
              --cluster NAME          only series with cluster="NAME" (the external label)
              --precision N           decimal places of the dollar amounts, 0-10 (default 2: cents)
              --chunk DURATION        longest span one query covers (default 24h)
              --timeout DURATION      per query (default 2m)
              --bearer-token-file FILE          send Authorization: Bearer <the file's content>
              --basic-auth-username USER        basic auth, with --basic-auth-password-file FILE
              --tls-ca-file FILE                trust this PEM CA bundle instead of the JDK's
              --tls-cert-file FILE --tls-key-file FILE   client certificate for mutual TLS (PEM, PKCS#8 key)
              --tls-insecure-skip-verify        accept any server certificate (tests only)
              --sigv4-region REGION   sign every query with AWS SigV4 for Amazon Managed Prometheus in REGION, with
                                      the AWS SDK's default credentials (environment, AWS_PROFILE and SSO, web
                                      identity, container or instance role); the identity needs aps:QueryMetrics
              --sigv4-service NAME    the signing name (default aps)
              --sigv4-role-arn ARN    assume this IAM role (STS) with those credentials, and sign as it
              --header NAME=VALUE     extra request header, e.g. X-Scope-OrgID=tenant-1 (repeatable)
              --no-progress           no progress bar (it is drawn only when standard error is a terminal)
            exit codes: 0 done, 1 failure (Prometheus unreachable or failing, output not written),
                        2 bad input (options, window, CUR files)""";

    static final Duration DEFAULT_CHUNK = Duration.ofHours(24);
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);
    static final int DEFAULT_PRECISION = 2;
    static final int MAX_PRECISION = 10;

    /** Parses the arguments after {@code report}; throws bad input listing every problem. */
    static ReportOptions parse(List<String> args) throws ReportException {
        List<String> errors = new ArrayList<>();
        Map<String, String> single = new LinkedHashMap<>();
        List<Path> cur = new ArrayList<>();
        Map<String, String> headers = new LinkedHashMap<>();
        boolean insecure = false;
        boolean progress = true;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--tls-insecure-skip-verify" -> insecure = true;
                case "--no-progress" -> progress = false;
                case "--prometheus", "--start", "--end", "--by", "--format", "--out", "--cluster", "--precision",
                     "--chunk", "--timeout", "--bearer-token-file", "--basic-auth-username", "--basic-auth-password-file",
                     "--tls-ca-file", "--tls-cert-file", "--tls-key-file", "--cur", "--header", "--sigv4-region",
                     "--sigv4-service", "--sigv4-role-arn" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            errors.add(name + " needs a value");
                            continue;
                        }
                        value = args.get(++i);
                    }
                    if (name.equals("--cur")) {
                        cur.add(Path.of(value));
                    } else if (name.equals("--header")) {
                        int e = value.indexOf('=');
                        if (e <= 0) {
                            errors.add("--header '" + value + "': use NAME=VALUE");
                        } else {
                            headers.put(value.substring(0, e).strip(), value.substring(e + 1).strip());
                        }
                    } else if (single.put(name, value) != null) {
                        errors.add(name + " given more than once");
                    }
                }
                default -> errors.add("unknown option '" + a + "'");
            }
        }
        URI url = null;
        String prom = single.get("--prometheus");
        if (prom == null) {
            errors.add("--prometheus is required (the Prometheus HTTP API base URL, e.g. http://prometheus:9090)");
        } else {
            try {
                url = URI.create(prom);
                if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
                        || url.getHost() == null) {
                    errors.add("--prometheus '" + prom + "': use an http:// or https:// URL with a host");
                    url = null;
                }
            } catch (IllegalArgumentException e) {
                errors.add("--prometheus '" + prom + "': not a URL (" + e.getMessage() + ")");
            }
        }
        Instant start = time("--start", single.get("--start"), errors);
        Instant end = time("--end", single.get("--end"), errors);
        Window window = null;
        if (start != null && end != null) {
            if (!start.isBefore(end)) {
                errors.add("--start " + start + " is not before --end " + end);
            } else {
                window = new Window(start, end);
            }
        }
        Grouping grouping = Grouping.parse(single.getOrDefault("--by", "namespace"));
        if (grouping == null) {
            errors.add("--by '" + single.get("--by") + "': use namespace, workload or label:KEY");
        }
        ReportFormat format = ReportFormat.parse(single.getOrDefault("--format", "table"));
        if (format == null) {
            errors.add("--format '" + single.get("--format") + "': use table, csv, json or html");
        }
        int precision = DEFAULT_PRECISION;
        if (single.containsKey("--precision")) {
            try {
                precision = Integer.parseInt(single.get("--precision"));
                if (precision < 0 || precision > MAX_PRECISION) {
                    errors.add("--precision " + precision + ": use 0 to " + MAX_PRECISION);
                }
            } catch (NumberFormatException e) {
                errors.add("--precision '" + single.get("--precision") + "': not a whole number");
            }
        }
        Duration chunk = duration("--chunk", single.get("--chunk"), DEFAULT_CHUNK, errors);
        if (chunk != null && (chunk.toSeconds() < 3600 || chunk.toSeconds() % 3600 != 0 || chunk.toNanosPart() != 0)) {
            errors.add("--chunk " + single.get("--chunk") + ": use whole hours, at least 1h");
        }
        Duration timeout = duration("--timeout", single.get("--timeout"), DEFAULT_TIMEOUT, errors);
        if (timeout != null && timeout.isZero()) {
            errors.add("--timeout must be more than 0");
        }
        Path bearer = file("--bearer-token-file", single.get("--bearer-token-file"), errors);
        String user = single.get("--basic-auth-username");
        Path password = file("--basic-auth-password-file", single.get("--basic-auth-password-file"), errors);
        if (user != null && password == null && !single.containsKey("--basic-auth-password-file")) {
            errors.add("--basic-auth-username needs --basic-auth-password-file");
        }
        if (user == null && single.containsKey("--basic-auth-password-file")) {
            errors.add("--basic-auth-password-file needs --basic-auth-username");
        }
        if (bearer != null && user != null) {
            errors.add("use either --bearer-token-file or --basic-auth-username, not both");
        }
        Path ca = file("--tls-ca-file", single.get("--tls-ca-file"), errors);
        Path cert = file("--tls-cert-file", single.get("--tls-cert-file"), errors);
        Path key = file("--tls-key-file", single.get("--tls-key-file"), errors);
        if (single.containsKey("--tls-cert-file") != single.containsKey("--tls-key-file")) {
            errors.add("--tls-cert-file and --tls-key-file go together");
        }
        for (String h : headers.keySet()) {
            if (h.equalsIgnoreCase("Authorization")) {
                errors.add("--header Authorization: use --bearer-token-file or --basic-auth-username, which keep"
                        + " the secret in a file");
            }
        }
        SigV4Config sigv4 = sigv4(single, url, headers, errors);
        if (!errors.isEmpty()) {
            throw ReportException.badInput(String.join("\n", errors));
        }
        PrometheusSettings settings = new PrometheusSettings(url, bearer, user, password, ca, cert, key, insecure,
                headers, timeout, sigv4, null);
        String out = single.get("--out");
        return new ReportOptions(settings, window, List.copyOf(cur), grouping, format,
                out == null || out.equals("-") ? null : Path.of(out), single.get("--cluster"), precision, chunk, progress);
    }

    /**
     * {@code --sigv4-*}, or null when not asked for. SigV4 writes the Authorization header itself, so it
     * excludes the other credentials.
     */
    private static SigV4Config sigv4(Map<String, String> single, URI url, Map<String, String> headers,
            List<String> errors) {
        String region = single.get("--sigv4-region");
        if (region == null) {
            for (String o : List.of("--sigv4-service", "--sigv4-role-arn")) {
                if (single.containsKey(o)) {
                    errors.add(o + " needs --sigv4-region (the region of the Amazon Managed Prometheus workspace)");
                }
            }
            return null;
        }
        for (String o : List.of("--bearer-token-file", "--basic-auth-username")) {
            if (single.containsKey(o)) {
                errors.add("use either --sigv4-region or " + o + ", not both (SigV4 writes the Authorization"
                        + " header itself)");
            }
        }
        for (String h : headers.keySet()) {
            if (h.toLowerCase(java.util.Locale.ROOT).startsWith("x-amz-")) {
                errors.add("--header " + h + ": set by SigV4 signing, cannot be given with --sigv4-region");
            }
        }
        SigV4Config c = SigV4Config.parse(region, single.get("--sigv4-service"), single.get("--sigv4-role-arn"),
                new SigV4Config.Names("--sigv4-region", "--sigv4-service", "--sigv4-role-arn"),
                (option, problem) -> errors.add(option + " " + problem));
        String wrongRegion = c == null ? null : c.problemWith(url);
        if (wrongRegion != null) {
            errors.add("--sigv4-region " + wrongRegion);
        }
        return c;
    }

    private static Instant time(String option, String text, List<String> errors) {
        if (text == null) {
            errors.add(option + " is required (e.g. 2026-11-30T00:00:00Z)");
            return null;
        }
        Instant t;
        try {
            t = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                t = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                errors.add(option + " '" + text + "': use RFC 3339, e.g. 2026-11-30T00:00:00Z, or a date, 2026-11-30");
                return null;
            }
        }
        if (t.getEpochSecond() % 3600 != 0 || t.getNano() != 0) {
            errors.add(option + " " + t + ": use a whole hour (the bill is hourly)");
            return null;
        }
        return t;
    }

    private static Duration duration(String option, String text, Duration dflt, List<String> errors) {
        if (text == null) {
            return dflt;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(option + ": " + e.getMessage());
            return null;
        }
    }

    private static Path file(String option, String text, List<String> errors) {
        if (text == null) {
            return null;
        }
        Path p = Path.of(text);
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            errors.add(option + " " + text + ": not a readable file");
            return null;
        }
        return p;
    }
}
