package dev.netcost.report;

/**
 * A reason the report cannot be made, with its exit code: {@link #BAD_INPUT} (2) when the user's input
 * is wrong (options, window, CUR files), {@link #FAILURE} (1) when something failed on the way
 * (Prometheus unreachable or answering errors, a file that cannot be written).
 */
public final class ReportException extends Exception {
    public static final int BAD_INPUT = 2;
    public static final int FAILURE = 1;
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    private ReportException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static ReportException badInput(String message) {
        return new ReportException(BAD_INPUT, message, null);
    }

    public static ReportException failure(String message, Throwable cause) {
        return new ReportException(FAILURE, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
