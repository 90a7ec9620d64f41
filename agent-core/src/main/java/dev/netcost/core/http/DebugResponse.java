package dev.netcost.core.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One debug page, free of Netty types so that {@link DebugPages} can be tested without a server.
 *
 * @param status      the HTTP status code
 * @param contentType the {@code Content-Type}, naming UTF-8 for text
 * @param body        the body, sent UTF-8 encoded
 */
record DebugResponse(int status, String contentType, String body) {
    static final String TEXT = "text/plain; charset=utf-8";

    DebugResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, got " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    static DebugResponse text(int status, String body) {
        return new DebugResponse(status, TEXT, body);
    }

    byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }
}
