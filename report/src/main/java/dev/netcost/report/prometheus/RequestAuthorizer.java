package dev.netcost.report.prometheus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;

/**
 * Adds credentials to one request to the Prometheus HTTP API. The seam for every scheme: bearer token
 * and basic auth here; AWS SigV4 (Amazon Managed Prometheus) plugs in as another implementation that
 * signs method, URI, headers and body.
 */
public interface RequestAuthorizer {

    /** No credentials. */
    RequestAuthorizer NONE = (method, uri, body, request) -> { };

    /**
     * @param method  the HTTP method
     * @param uri     the full request URI, query included
     * @param body    the request body (empty for GET)
     * @param request the request being built; set the headers here
     */
    void authorize(String method, URI uri, byte[] body, HttpRequest.Builder request) throws IOException;

    /** Called after a 401 or 403, so cached credentials are read again before the next try. */
    default void rejected() {
    }
}
