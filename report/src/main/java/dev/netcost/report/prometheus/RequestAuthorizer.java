package dev.netcost.report.prometheus;

import dev.netcost.core.auth.CredentialFile;
import dev.netcost.report.ReportException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Adds credentials to one request to the Prometheus HTTP API. The seam for every scheme: bearer token,
 * basic auth, and AWS SigV4 (Amazon Managed Prometheus), which signs method, URI, headers and body.
 */
public interface RequestAuthorizer extends AutoCloseable {

    /** No credentials. */
    RequestAuthorizer NONE = (method, uri, body, request) -> { };

    /**
     * @param method  the HTTP method
     * @param uri     the full request URI, query included, exactly as it is sent
     * @param body    the request body (empty for GET)
     * @param request the request being built; set the headers here
     * @throws ReportException when there are no credentials to send (the message says where they were sought)
     */
    void authorize(String method, URI uri, byte[] body, HttpRequest.Builder request) throws ReportException;

    /** Called after a 401 or 403, so cached credentials are read again before the next try. */
    default void rejected() {
    }

    /** What to tell the user after a 401 or 403: what was sent, and what to check. */
    default String rejectionAdvice() {
        return "possible fixes: --bearer-token-file, --basic-auth-username with --basic-auth-password-file,"
                + " --sigv4-region for Amazon Managed Prometheus, or --tls-cert-file";
    }

    /** Releases what the credentials need (background refresh threads); the client calls it once. */
    @Override
    default void close() {
    }

    /** The secret in {@code file}; an unreadable file is bad input. */
    static String secret(CredentialFile file) throws ReportException {
        try {
            return file.read();
        } catch (IOException e) {
            throw ReportException.badInput("cannot read the Prometheus credentials file " + file.path() + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
    }
}
