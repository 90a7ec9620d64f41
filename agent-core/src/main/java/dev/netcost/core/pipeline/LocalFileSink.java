package dev.netcost.core.pipeline;

import dev.netcost.core.model.Sample;
import dev.netcost.core.model.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default sink: with no remote-write endpoint configured, each cycle's samples replace
 * the content of one file, in Prometheus text format, so the agent does something useful with zero
 * set-up ({@code cat} it, or point node_exporter's textfile collector at it).
 */
public final class LocalFileSink implements Sink {
    private static final Logger LOG = LoggerFactory.getLogger(LocalFileSink.class);

    private final Path path;
    private volatile boolean lastWriteOk = true;

    public LocalFileSink(Path path) {
        this.path = path.toAbsolutePath();
    }

    public Path path() {
        return path;
    }

    @Override
    public String name() {
        return "local_file";
    }

    @Override
    public void write(List<Sample> samples) {
        List<Sample> live = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            if (!s.isStaleMarker()) {
                live.add(s);
            }
        }
        try {
            Path dir = path.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".netcost-samples", ".tmp");
            Files.writeString(tmp, TextFormat.toText(live), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            lastWriteOk = true;
        } catch (IOException e) {
            lastWriteOk = false;
            LOG.warn("cannot write samples to {} (possible fixes: check the directory exists and is writable,"
                    + " or set localFile.path)", path, e);
        }
    }

    @Override
    public boolean flush(Duration timeout) {
        return lastWriteOk;
    }

    @Override
    public void close() {
    }
}
