package dev.netcost.core.remotewrite;

import java.time.Duration;

/**
 * The outcome of one remote-write request.
 *
 * @param status     HTTP status, or 0 when no response arrived (connection error, timeout)
 * @param retryAfter the server's {@code Retry-After}, or null
 * @param detail     response body excerpt (at most 1 KiB) or the connection error, for logs
 * @param timedOut   no complete response (connect, headers, body) arrived within the deadline
 */
record SendResult(int status, Duration retryAfter, String detail, boolean timedOut) {
    static final int MAX_DETAIL_CHARS = 1024;

    SendResult(int status, Duration retryAfter, String detail) {
        this(status, retryAfter, detail, false);
    }

    /** The request was abandoned at its deadline: retried like a connection failure. */
    static SendResult timedOut(String detail) {
        return new SendResult(0, null, detail, true);
    }

    boolean delivered() {
        return status >= 200 && status < 300;
    }

    /** Remote-write 1.0: 5xx, 429 and connection failures are retried; every other status is final. */
    boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }

    static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS) + "...(truncated)";
    }
}
