package dev.netcost.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One HTTP answer, free of Netty types.
 *
 * @param status      the status code
 * @param contentType the {@code Content-Type}
 * @param body        the body bytes
 */
record WebhookResponse(int status, String contentType, byte[] body) {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    WebhookResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, got " + status);
        }
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }

    static WebhookResponse text(int status, String body) {
        return new WebhookResponse(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
    }

    static WebhookResponse json(int status, byte[] body) {
        return new WebhookResponse(status, JSON, body);
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
