package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.spi.SourceUnavailableException;
import dev.netcost.core.testing.FreePorts;
import dev.netcost.core.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kubelet source against a kubelet-like HTTPS endpoint: real TLS, bearer token, gzip, and its failures. */
class CadvisorExporterKubeletTest {
    private static final String CHECKOUT = "checkout-7d9f8b6c5-x2k4q";

    @TempDir
    static Path certDir;
    static TestCertificates certs;

    @TempDir
    Path dir;
    Path tokenFile;
    FakeKubelet kubelet;

    @BeforeAll
    static void certificates() throws Exception {
        certs = TestCertificates.create(certDir);
    }

    @BeforeEach
    void startKubelet() throws Exception {
        kubelet = new FakeKubelet(certs);
        kubelet.payload = CadvisorTextParserTest.fixture("kubelet-basic.prom");
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "token-1\n");
    }

    @AfterEach
    void stopKubelet() {
        kubelet.close();
    }

    /**
     * The exporter for the fake kubelet, with {@code extra} cadvisor keys. The deadline is generous unless
     * {@code extra} sets one: only the timeout test is about time, and a loaded machine can take seconds
     * over a cold JVM's first TLS handshake.
     */
    private TestExporters exporter(String extra) {
        return new TestExporters("""
                nodeName: node-a
                zone: eu-west-1a
                pods:
                  - {namespace: shop, name: %s, ip: 10.0.0.7, workload: checkout, workloadKind: Deployment}
                cadvisor:
                  url: %s
                  bearerTokenFile: %s
                  caFile: %s
                %s""".formatted(CHECKOUT, kubelet.url(), tokenFile, certs.caCert(),
                (extra.contains("timeout") ? extra : extra + "\ntimeout: 20s").indent(2)));
    }

    @Test
    void keepsOneSeriesPerPodInterfaceAndFamily_withMetadataLabels_andCadvisorsTimestamps() throws Exception {
        TestExporters t = exporter("");
        List<Sample> samples = t.collect();

        assertThat(kubelet.lastAcceptEncoding).as("node-local: no compression by default").isEqualTo("identity");
        assertThat(samples).contains(
                new Sample(Labels.of("container_network_receive_bytes_total", "namespace", "shop", "pod", CHECKOUT,
                        "interface", "eth0", "node", "node-a", "zone", "eu-west-1a", "workload", "checkout",
                        "workload_kind", "Deployment"), 123456789, 1717171716512L),
                new Sample(Labels.of("container_network_receive_bytes_total", "namespace", "shop", "pod", CHECKOUT,
                        "interface", "eth1", "node", "node-a", "zone", "eu-west-1a", "workload", "checkout",
                        "workload_kind", "Deployment"), 4096, 1717171716512L),
                // not in the metadata index: the pod is its own workload
                new Sample(Labels.of("container_network_transmit_bytes_total", "namespace", "shop", "pod", "cart-0",
                        "interface", "eth0", "node", "node-a", "zone", "eu-west-1a", "workload", "cart-0",
                        "workload_kind", "Pod"), 1048576, 1717171716000L));
        // 11 checkout series (8 on eth0, 3 on eth1) + 2 of cart-0; no node-level (ens5), no tcp_usage,
        // no series for node-exporter (it has no network series at all)
        assertThat(samples).hasSize(13);
        assertThat(samples).extracting(s -> s.labels().get("pod")).containsOnly(CHECKOUT, "cart-0");
        assertThat(samples).allSatisfy(s -> assertThat(s.labels().get("id")).isNull());
        assertThat(t.parseErrors()).isZero();

        // the second scrape reuses every buffer and gives the same answer
        assertThat(t.collect()).containsExactlyElementsOf(samples);
    }

    @Test
    void compressionGzip_asksForGzip_andInflatesItAsItArrives_twiceOnOneInstance() throws Exception {
        TestExporters plain = exporter("");
        List<Sample> expected = plain.collect();
        TestExporters t = exporter("compression: gzip");
        for (int round = 0; round < 2; round++) {
            assertThat(t.collect()).containsExactlyElementsOf(expected);
            assertThat(kubelet.lastAcceptEncoding).isEqualTo("gzip");
        }
    }

    @Test
    void readsAPlainBody_whenTheKubeletDoesNotCompress_orSendsNoLength() throws Exception {
        kubelet.gzip = false;
        kubelet.sendContentLength = false;
        assertThat(exporter("").collect()).hasSize(13);
    }

    @Test
    void rejectedToken_failsWithAHint_thenSucceeds_afterTheTokenFileChanges() throws Exception {
        TestExporters t = exporter("");
        kubelet.expectedToken = "token-2";
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("401").hasMessageContaining(tokenFile.toString())
                .hasMessageContaining("possible fixes");
        Files.writeString(tokenFile, "token-2\n"); // rotated in place by the kubelet's token projection
        assertThat(t.collect()).hasSize(13);
    }

    @Test
    void forbidden_pointsAtRbacForNodesMetrics() {
        kubelet.mode = FakeKubelet.Mode.FORBIDDEN;
        assertThatThrownBy(exporter("")::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("403").hasMessageContaining("nodes/metrics")
                .hasMessageContaining("subresource(s)=[metrics]");
    }

    @Test
    void aBodyCutShortOfItsContentLength_isAFailure_notAPartialScrape_plainOrGzip() {
        // The kubelet sends half its body and closes the connection: the scrape fails at once.
        kubelet.mode = FakeKubelet.Mode.TRUNCATED;
        int plain = kubelet.payload.length;
        assertThatThrownBy(exporter("")::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("cut its answer short: the connection closed after " + plain / 2 + " of the "
                        + plain + " bytes of its Content-Length");
        assertThatThrownBy(exporter("compression: gzip")::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("cut its answer short");
        assertThat(kubelet.requests()).isEqualTo(2);
    }

    @Test
    void aChunkedBodyEndingBeforeItsLastChunk_isAFailure_notAPartialScrape() throws Exception {
        byte[] body = kubelet.payload;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread kubeletDying = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(body, 0, body.length / 2);
                    out.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "dying-kubelet");
            kubeletDying.start();
            TestExporters t = new TestExporters("""
                    cadvisor:
                      url: http://127.0.0.1:%d/metrics/cadvisor
                      bearerTokenFile: ""
                      timeout: 20s
                    """.formatted(server.getLocalPort()));
            assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                    .hasMessageContaining("the body may be cut short (Premature EOF)");
            kubeletDying.join();
        }
    }

    @Test
    void bodyOverTheLimit_isAbortedCleanly_withOrWithoutContentLength() throws Exception {
        byte[] big = new byte[4096];
        java.util.Arrays.fill(big, (byte) '#');
        big[big.length - 1] = '\n';
        kubelet.payload = big;
        kubelet.gzip = false;
        TestExporters t = exporter("maxBytes: 1024");
        assertThatThrownBy(t::collect).isInstanceOf(BodyTooLargeException.class)
                .hasMessageContaining("cadvisor.maxBytes (1024 bytes) on the wire");
        kubelet.sendContentLength = false;
        assertThatThrownBy(t::collect).isInstanceOf(BodyTooLargeException.class)
                .hasMessageContaining("cadvisor.maxBytes (1024 bytes) on the wire");
    }

    @Test
    void gzipBomb_isAbortedAtTheLimit_andTheNextScrapeWorks() throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros); // 64 MiB of zeros: about 64 KiB compressed
            }
        }
        kubelet.rawBody = bos.toByteArray();
        kubelet.mode = FakeKubelet.Mode.RAW_GZIP_BODY;
        TestExporters t = exporter("maxBytes: 1MiB");
        assertThat(kubelet.rawBody.length).isLessThan(1 << 20);
        assertThatThrownBy(t::collect).isInstanceOf(BodyTooLargeException.class)
                .hasMessageContaining("after decompression");

        kubelet.mode = FakeKubelet.Mode.NORMAL;
        assertThat(t.collect()).hasSize(13);
    }

    @Test
    void gzipStreamOfSeveralMembers_isReadWhole() throws Exception {
        byte[] payload = kubelet.payload;
        int half = payload.length / 2;
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(FakeKubelet.gzip(java.util.Arrays.copyOfRange(payload, 0, half)));
        two.write(FakeKubelet.gzip(java.util.Arrays.copyOfRange(payload, half, payload.length)));
        kubelet.rawBody = two.toByteArray();
        kubelet.mode = FakeKubelet.Mode.RAW_GZIP_BODY;
        assertThat(exporter("").collect()).hasSize(13);
    }

    @Test
    void htmlOrProtobufAnswer_failsTheScrape_namingTheContentType() throws Exception {
        kubelet.gzip = false;
        kubelet.contentType = "text/html; charset=utf-8";
        kubelet.payload = "<html><body>login</body></html>\n".getBytes(StandardCharsets.UTF_8);
        TestExporters t = exporter("");
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("Content-Type 'text/html; charset=utf-8'")
                .hasMessageContaining("not the Prometheus text format");
        kubelet.contentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily";
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("application/vnd.google.protobuf");
    }

    @Test
    void textAnswerWithoutAnyNetworkFamily_failsTheScrape_insteadOfSucceedingEmpty() throws Exception {
        kubelet.payload = "# HELP up whatever\nup 1\nprocess_cpu_seconds_total 3\n".getBytes(StandardCharsets.UTF_8);
        TestExporters t = exporter("");
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("holds none of the container_network_* families")
                .hasMessageContaining("Content-Type 'text/plain; version=0.0.4; charset=utf-8'");
    }

    @Test
    void moreSeriesThanTheBudget_failsTheScrape_andTheNextSmallerOneWorks() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append("container_network_receive_bytes_total{container=\"\",interface=\"eth0\",namespace=\"ns\",pod=\"p")
                    .append(i).append("\"} ").append(i).append('\n');
        }
        byte[] small = kubelet.payload;
        kubelet.payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        TestExporters t = exporter("maxSeries: 20");
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("more than 20 pod network series").hasMessageContaining("cadvisor.maxSeries");
        kubelet.payload = small;
        assertThat(t.collect()).hasSize(13);
    }

    @Test
    void corruptGzip_isReportedAsBroken() {
        kubelet.rawBody = new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4};
        kubelet.mode = FakeKubelet.Mode.RAW_GZIP_BODY;
        assertThatThrownBy(exporter("")::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("gzip body").hasMessageContaining("broken");
    }

    @Test
    void slowServer_timesOut_withAHint() {
        kubelet.mode = FakeKubelet.Mode.SLOW;
        long start = System.nanoTime();
        assertThatThrownBy(exporter("timeout: 500ms")::collect).isInstanceOf(IOException.class)
                .hasMessageContaining("within 500 ms").hasMessageContaining("cadvisor.timeout");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
    }

    @Test
    void invalidUtf8InAKeptLine_isSkippedAndCounted_otherLinesStillArrive() throws Exception {
        String good = "container_network_receive_bytes_total{container=\"\",interface=\"eth0\",namespace=\"shop\","
                + "pod=\"a\"} 5 1000\n";
        byte[] bad = "container_network_receive_bytes_total{container=\"\",interface=\"eth\u00ff0\",namespace=\"shop\",pod=\"b\"} 6\n"
                .getBytes(StandardCharsets.ISO_8859_1); // a lone 0xFF byte: not UTF-8
        byte[] payload = new byte[good.length() + bad.length];
        System.arraycopy(good.getBytes(StandardCharsets.UTF_8), 0, payload, 0, good.length());
        System.arraycopy(bad, 0, payload, good.length(), bad.length);
        kubelet.payload = payload;
        TestExporters t = exporter("");
        List<Sample> samples = t.collect();
        assertThat(samples).singleElement().satisfies(s -> assertThat(s.labels().get("pod")).isEqualTo("a"));
        assertThat(t.parseErrors()).isEqualTo(1);
        t.collect();
        assertThat(t.parseErrors()).isEqualTo(2);
    }

    @Test
    void untrustedCertificate_failsWithATlsHint_unlessInsecureSkipVerify() throws Exception {
        TestCertificates other = TestCertificates.create(Files.createDirectory(dir.resolve("other")));
        TestExporters strict = new TestExporters("""
                cadvisor:
                  url: %s
                  bearerTokenFile: %s
                  caFile: %s
                """.formatted(kubelet.url(), tokenFile, other.caCert()));
        assertThatThrownBy(strict::collect).isInstanceOf(IOException.class).hasMessageContaining("TLS")
                .hasMessageContaining("insecureSkipVerify");
        TestExporters insecure = new TestExporters("""
                cadvisor:
                  url: %s
                  bearerTokenFile: %s
                  caFile: %s
                  insecureSkipVerify: true
                """.formatted(kubelet.url(), tokenFile, other.caCert()));
        assertThat(insecure.collect()).hasSize(13);
    }

    @Test
    void refusedConnection_saysWhatToCheck() {
        int port = FreePorts.loopbackPort();
        TestExporters t = new TestExporters("""
                cadvisor:
                  url: https://127.0.0.1:%d/metrics/cadvisor
                  bearerTokenFile: %s
                  caFile: %s
                """.formatted(port, tokenFile, certs.caCert()));
        assertThatThrownBy(t::collect).isInstanceOf(IOException.class).hasMessageContaining("cannot connect")
                .hasMessageContaining("port " + port);
    }

    @Test
    void missingTokenFile_orUnsetNodeIp_isAnUnavailableSource() {
        TestExporters noToken = new TestExporters("""
                cadvisor:
                  url: %s
                  bearerTokenFile: %s
                  caFile: %s
                """.formatted(kubelet.url(), dir.resolve("absent"), certs.caCert()));
        assertThatThrownBy(noToken::collect).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("bearerTokenFile");
        TestExporters noUrl = new TestExporters("cadvisor: {}\n", Map.of());
        assertThatThrownBy(noUrl::collect).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("NODE_IP");
        assertThat(kubelet.requests()).isZero();
    }
}
