package dev.netcost.core.testing;

final class Truncate {

    private static final int MAX_BODY_CHARS = 1024;

    private Truncate() {}

    /** Remote response bodies go into messages at most 1 KiB long. */
    static String body(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= MAX_BODY_CHARS ? body : body.substring(0, MAX_BODY_CHARS) + "...(truncated)";
    }
}
