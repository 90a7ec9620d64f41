package dev.netcost.core.spi;

/** The exporter's source is absent (not broken): reported as success=0, logged once, no stack trace. */
public final class SourceUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String message) {
        super(message);
    }
}
