package dev.netcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.run(args);
    }

    private String err() {
        return cli.err();
    }

    @Test
    void versionPrintsTheBuildVersion() {
        assertThat(run("version")).isZero();
        assertThat(cli.out()).startsWith("netcost ").doesNotContain("${");
    }

    @Test
    void unknownCommandOrOption_isAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err()).contains("unknown command 'frobnicate'").contains("usage:");
        cli.reset();
        assertThat(run("node", "--bogus")).isEqualTo(2);
        assertThat(err()).contains("unknown option '--bogus'");
        cli.reset();
        assertThat(run()).isEqualTo(2);
    }

    @Test
    void report_isListedInTheUsage_andPointsToItsOwnJar() {
        assertThat(run("help")).isZero();
        assertThat(cli.out()).contains("netcost report  --prometheus URL --start TIME --end TIME");
        cli.reset();
        assertThat(run("report", "--prometheus", "http://127.0.0.1:9090")).isEqualTo(2);
        assertThat(err()).contains("./netcost report").contains("netcost-report.jar");
    }

    @Test
    void demo_isListedInTheUsage_andPointsToItsOwnJar() {
        assertThat(run("help")).isZero();
        assertThat(cli.out()).contains("netcost demo    [--check] [--keep]");
        cli.reset();
        assertThat(run("demo", "--check")).isEqualTo(2);
        assertThat(err()).contains("./netcost demo").contains("netcost-demo.jar");
    }

    @Test
    void badConfiguration_listsEveryProblem_andExitsWith2() throws Exception {
        Path cfg = tmp.resolve("bad.yaml");
        Files.writeString(cfg, """
                interval: 15 seconds
                remoteWrite:
                  - url: ftp://example/write
                    queue:
                      shards: 0
                debug:
                  listen: nowhere
                colour: blue
                """);
        assertThat(run("node", "--config", cfg.toString(), "--once")).isEqualTo(2);
        assertThat(err()).contains("5 problems")
                .contains("interval: invalid duration '15 seconds'")
                .contains("remoteWrite[0].url: must be an http:// or https:// URL")
                .contains("remoteWrite[0].queue.shards: must be between 1 and 64")
                .contains("debug.listen: must be host:port")
                .contains("colour: unknown key");
    }

    @Test
    void missingConfigFile_isAUsageError() {
        assertThat(run("node", "--config", tmp.resolve("nope.yaml").toString(), "--once")).isEqualTo(2);
        assertThat(err()).contains("cannot read config file");
    }

    @Test
    void onceWithoutRemoteWrite_writesTheLocalFile_andExits0() throws Exception {
        Path file = tmp.resolve("out/samples.prom");
        Path cfg = tmp.resolve("ok.yaml");
        Files.writeString(cfg, """
                nodeName: n1
                zone: us-east-2a
                kubernetes: {enabled: false}
                debug: {listen: "127.0.0.1:0"}
                localFile: {path: %s}
                """.formatted(file));
        assertThat(run("node", "--config", cfg.toString(), "--once")).isZero();
        String text = Files.readString(file);
        assertThat(text).contains("netcost_agent_info{job=\"netcost\",node=\"n1\",version=")
                .contains("zone=\"us-east-2a\"} 1 ")
                .contains("netcost_agent_exporter_success{exporter=\"agent\",job=\"netcost\",node=\"n1\"} 1 ");
    }

    @Test
    void setOverridesTheConfigFile() throws Exception {
        Path file = tmp.resolve("samples.prom");
        assertThat(run("node", "--once", "--set", "nodeName=from-flag", "--set", "kubernetes.enabled=false",
                "--set", "debug.enabled=false", "--set", "localFile.path=" + file)).isZero();
        assertThat(Files.readString(file)).contains("node=\"from-flag\"");
    }

    @Test
    void unreadableTlsFile_isAStartupError() throws Exception {
        assertThat(run("node", "--once", "--set", "debug.enabled=false",
                "--set", "remoteWrite[0].url=https://127.0.0.1:1/api/v1/write",
                "--set", "remoteWrite[0].tls.caFile=" + tmp.resolve("missing-ca.pem"))).isEqualTo(2);
        assertThat(err()).contains("cannot set up remote-write TLS").contains("missing-ca.pem");
    }

    @Test
    void takenDebugPort_isAStartupError_andStopsWhatWasStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(run("node", "--once", "--set", "kubernetes.enabled=false",
                    "--set", "debug.listen=127.0.0.1:" + taken.getLocalPort(),
                    "--set", "remoteWrite[0].url=http://127.0.0.1:1/api/v1/write",
                    "--set", "remoteWrite[0].name=taken-debug-port", "--set", "dataDir=" + tmp)).isEqualTo(2);
        }
        assertThat(err()).contains("cannot listen on debug.listen 127.0.0.1:");
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(Thread::isAlive).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("netcost-remote-write-taken-debug-port"));
    }
}
