package dev.netcost.core.config;

import java.nio.file.Path;

/**
 * The embedded default sink: with no {@code remoteWrite} endpoint, each cycle's samples are written
 * to this file in Prometheus text format (replaced atomically every cycle).
 *
 * @param path {@code localFile.path}, default {@code netcost-samples.prom} in the working directory
 */
public record LocalFileConfig(Path path) {
    public static final LocalFileConfig DEFAULT = new LocalFileConfig(Path.of("netcost-samples.prom"));
}
