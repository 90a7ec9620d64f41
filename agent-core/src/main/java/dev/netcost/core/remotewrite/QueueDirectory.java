package dev.netcost.core.remotewrite;

import dev.netcost.core.config.ConfigNode;
import dev.netcost.core.config.Durations;
import dev.netcost.core.config.RemoteWriteConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an endpoint's durable queue lives: {@code <dataDir>/queue/<name>-<key>/shard-<i>/}, the key
 * being a hash of what decides where and how samples go (the URL, the shard count, the record
 * format). A queue written under another key — the URL changed, or the shards — is never read for
 * this endpoint: it is kept apart, and deleted once older than {@code maxAge}, when everything in it
 * would be dropped unsent anyway.
 */
final class QueueDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDirectory.class);
    static final String QUEUE = "queue";
    private static final int FORMAT = 1;
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
    private static final Pattern KEYED = Pattern.compile(".+-[0-9a-f]{12}");

    private QueueDirectory() {
    }

    /** The endpoint's own directory under {@code dataDir}. */
    static Path of(Path dataDir, RemoteWriteConfig config) {
        return dataDir.resolve(QUEUE).resolve(safeName(config.name()) + "-" + key(config));
    }

    static Path shard(Path endpointDir, int index) {
        return endpointDir.resolve("shard-" + index);
    }

    static String safeName(String name) {
        String s = UNSAFE.matcher(name).replaceAll("_");
        return s.isEmpty() ? "endpoint" : s.length() > 64 ? s.substring(0, 64) : s;
    }

    /** 12 hex digits of SHA-256 over the URL (user-info removed), the shard count and the format. */
    static String key(RemoteWriteConfig config) {
        String identity = ConfigNode.redactUrl(config.url().toString()) + "\n" + config.queue().shards() + "\n" + FORMAT;
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("BUG: SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Writes a note saying whose queue this is, and deals with the queues of other keys under the
     * same endpoint name: deleted when idle longer than {@code maxAge}, else left alone and logged.
     */
    static void prepare(Path endpointDir, RemoteWriteConfig config, Clock clock) {
        try {
            Files.createDirectories(endpointDir);
            Files.writeString(endpointDir.resolve("README"), "netcost durable remote-write queue\nendpoint: "
                    + config.name() + "\nurl: " + ConfigNode.redactUrl(config.url().toString()) + "\nshards: "
                    + config.queue().shards() + "\nformat: " + FORMAT + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            return; // each shard's queue reports the unusable directory and falls back to memory
        }
        String prefix = safeName(config.name()) + "-";
        long cutoff = clock.millis() - config.queue().maxAge().toMillis();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(endpointDir.getParent())) {
            for (Path other : ds) {
                String n = other.getFileName().toString();
                if (other.equals(endpointDir) || !n.startsWith(prefix) || !KEYED.matcher(n).matches()
                        || n.length() != prefix.length() + 12 || !Files.isDirectory(other)) {
                    continue;
                }
                long newest = newestModification(other);
                if (newest < cutoff) {
                    deleteTree(other);
                    LOG.info("remote-write {}: deleted the queue {} of an earlier configuration (idle longer than"
                            + " queue.maxAge {})", config.name(), other, Durations.format(config.queue().maxAge()));
                } else {
                    LOG.warn("remote-write {}: {} holds a queue written for another URL or shard count; it is"
                            + " not sent to this endpoint, and is deleted once idle longer than queue.maxAge",
                            config.name(), other);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}", endpointDir.getParent(), e.toString());
        }
    }

    private static long newestModification(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> {
                try {
                    return Files.getLastModifiedTime(p);
                } catch (IOException e) {
                    return FileTime.fromMillis(Long.MAX_VALUE);
                }
            }).mapToLong(FileTime::toMillis).max().orElse(Long.MAX_VALUE);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
