package dev.netcost.cadvisor;

import java.io.IOException;

/** A response body, or what it decompresses to, went past {@code cadvisor.maxBytes}. */
final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(String message) {
        super(message);
    }
}
