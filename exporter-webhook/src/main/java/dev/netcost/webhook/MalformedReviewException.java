package dev.netcost.webhook;

/** The request body is not an AdmissionReview that can be answered (no JSON, no request, no uid). */
final class MalformedReviewException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedReviewException(String message) {
        super(message);
    }

    MalformedReviewException(String message, Throwable cause) {
        super(message, cause);
    }
}
