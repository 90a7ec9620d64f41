package dev.netcost.report.prometheus;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar on standard error, drawn only when standard error is a terminal (so logs and
 * CI output stay clean).
 */
public final class ProgressBar {
    private static final int WIDTH = 30;

    /** Makes a bar for a number of steps. */
    public interface Factory {
        ProgressBar create(int steps);
    }

    private final PrintStream err;
    private final boolean enabled;
    private final int total;
    private int done;
    private int lastWidth;

    public ProgressBar(PrintStream err, boolean enabled, int total) {
        this.err = err;
        this.enabled = enabled && total > 0;
        this.total = total;
    }

    /** Whether standard error is a terminal: Linux's /proc/self/fd/2, else whether the JVM has a console. */
    public static boolean stderrIsTerminal() {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
            String t = target.toString();
            return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }

    /** One more step done; {@code what} says what is being done now. */
    public void step(String what) {
        done++;
        if (!enabled) {
            return;
        }
        int filled = done * WIDTH / total;
        String line = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + (done * 100 / total) + "% " + what;
        String pad = " ".repeat(Math.max(0, lastWidth - line.length()));
        err.print("\r" + line + pad);
        err.flush();
        lastWidth = line.length();
    }

    /** Clears the bar. */
    public void finish() {
        if (enabled && lastWidth > 0) {
            err.print("\r" + " ".repeat(lastWidth) + "\r");
            err.flush();
        }
    }
}
