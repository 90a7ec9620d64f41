package dev.netcost.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * A secret kept in a file (service-account token, password) and re-read when the file changes,
 * because Kubernetes rotates projected tokens in place. The value is never logged.
 */
public final class CredentialFile {
    private final Path path;
    private FileTime lastModified;
    private long lastSize = -1;
    private String value;

    public CredentialFile(Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    public Path path() {
        return path;
    }

    /** The current value, trimmed of surrounding whitespace; re-read when size or mtime changed. */
    public synchronized String read() throws IOException {
        FileTime mtime = Files.getLastModifiedTime(path);
        long size = Files.size(path);
        if (value == null || !mtime.equals(lastModified) || size != lastSize) {
            value = Files.readString(path, StandardCharsets.UTF_8).strip();
            lastModified = mtime;
            lastSize = size;
        }
        return value;
    }

    /** Forgets the cached value so the next {@link #read} goes to the file (after a 401, say). */
    public synchronized void invalidate() {
        value = null;
    }

    @Override
    public String toString() {
        return "CredentialFile[" + path + "]";
    }
}
