package dev.netcost.core.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes: {@code 4096}, {@code 512KiB}, {@code 4MiB}, {@code 1GiB} (also KB/MB/GB, powers of 1000). */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|B|KiB|MiB|GiB|KB|MB|GB)");

    private ByteSizes() {
    }

    public static long parse(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + text + "': use e.g. 65536, 512KiB, 4MiB");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        long unit = switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1000L;
            case "MB" -> 1000_000L;
            case "GB" -> 1000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }
}
