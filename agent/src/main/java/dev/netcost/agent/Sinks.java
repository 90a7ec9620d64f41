package dev.netcost.agent;

import dev.netcost.core.auth.SigV4RequestSigner;
import dev.netcost.core.config.AgentConfig;
import dev.netcost.core.config.RemoteWriteConfig;
import dev.netcost.core.pipeline.LocalFileSink;
import dev.netcost.core.pipeline.Sink;
import dev.netcost.core.remotewrite.RemoteWriteSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The configured sinks, shared by {@code netcost node} and {@code netcost webhook}. */
final class Sinks {
    private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

    private Sinks() {
    }

    /** One remote-write sink per endpoint, or the local file sink when there is none. */
    static List<Sink> create(AgentConfig config, MeterRegistry meters, Clock clock) {
        List<Sink> sinks = new ArrayList<>();
        try {
            for (RemoteWriteConfig rw : config.remoteWrite()) {
                RemoteWriteSink.Builder b = RemoteWriteSink.builder().config(rw).meters(meters).clock(clock)
                        .dataDir(config.dataDir());
                if (rw.sigv4() != null) {
                    b.signer(SigV4RequestSigner.builder().config(rw.sigv4()).clock(clock)
                            .sessionName(roleSessionName(config.nodeName())).build());
                }
                sinks.add(b.build());
            }
        } catch (IOException | GeneralSecurityException e) {
            sinks.forEach(Sink::close);
            throw new NodeAgent.StartupException("cannot set up remote-write TLS: " + e.getMessage()
                    + " (possible fixes: check remoteWrite[].tls file paths and that they hold PEM data)", e);
        }
        if (sinks.isEmpty()) {
            LocalFileSink file = new LocalFileSink(config.localFile().path());
            sinks.add(file);
            LOG.info("no remoteWrite endpoint configured: writing samples to {} (set remoteWrite[].url to stream"
                    + " them to Prometheus)", file.path());
        }
        return sinks;
    }

    /** {@code netcost-<node>} as STS allows it, so CloudTrail shows which node assumed the role. */
    static String roleSessionName(String nodeName) {
        String name = "netcost-" + nodeName.replaceAll("[^\\w+=,.@-]", "-");
        return name.length() <= 64 ? name : name.substring(0, 64);
    }
}
