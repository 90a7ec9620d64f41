package dev.netcost.demo;

/** Why the demo cannot go on, in words for the user; {@link #exitCode()} 2 for missing prerequisites, 1 otherwise. */
final class DemoException extends RuntimeException {
    static final int FAILED = 1;
    static final int PREREQUISITE = 2;
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    DemoException(String message) {
        this(FAILED, message, null);
    }

    DemoException(String message, Throwable cause) {
        this(FAILED, message, cause);
    }

    private DemoException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static DemoException prerequisite(String message) {
        return new DemoException(PREREQUISITE, message, null);
    }

    int exitCode() {
        return exitCode;
    }
}
