package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.TextEscaper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CadvisorTextParserTest {

    /** fixture, kept lines rendered as {@code family{labels in line order} value timestamp}, malformed lines. */
    static Stream<Arguments> fixtures() {
        return Stream.of(
                Arguments.of("kubelet-basic.prom", List.of(
                        "container_network_receive_bytes_total{container=\"\",id=\"/\",image=\"\",interface=\"ens5\",name=\"\",namespace=\"\",pod=\"\"} 9.87654321E10 1717171717000",
                        "container_network_receive_bytes_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 1.23456789E8 1717171716512",
                        "container_network_receive_bytes_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth1\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 4096.0 1717171716512",
                        "container_network_receive_bytes_total{container=\"POD\",id=\"/kubepods/besteffort/pod5c0ffee0-1111-2222-3333-444455556666/4f3e2d1c\",image=\"registry.k8s.io/pause:3.9\",interface=\"eth0\",name=\"k8s_POD_cart-0_shop_5c0ffee0-1111-2222-3333-444455556666_0\",namespace=\"shop\",pod=\"cart-0\"} 5.24288E7 1717171716000",
                        "container_network_receive_errors_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 0.0 1717171716512",
                        "container_network_receive_errors_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth1\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 2.0 1717171716512",
                        "container_network_receive_packets_dropped_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 17.0 1717171716512",
                        "container_network_receive_packets_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 98765.0 1717171716512",
                        "container_network_transmit_bytes_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 3.3554432E7 1717171716512",
                        "container_network_transmit_bytes_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth1\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 8192.0 1717171716512",
                        "container_network_transmit_bytes_total{container=\"POD\",id=\"/kubepods/besteffort/pod5c0ffee0-1111-2222-3333-444455556666/4f3e2d1c\",image=\"registry.k8s.io/pause:3.9\",interface=\"eth0\",name=\"k8s_POD_cart-0_shop_5c0ffee0-1111-2222-3333-444455556666_0\",namespace=\"shop\",pod=\"cart-0\"} 1048576.0 1717171716000",
                        "container_network_transmit_errors_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 0.0 1717171716512",
                        "container_network_transmit_packets_dropped_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 0.0 1717171716512",
                        "container_network_transmit_packets_total{container=\"\",id=\"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3b1f6a7e_1c2d_4e5f_8a9b_0c1d2e3f4a5b.slice\",image=\"\",interface=\"eth0\",name=\"\",namespace=\"shop\",pod=\"checkout-7d9f8b6c5-x2k4q\"} 45678.0 1717171716512"),
                        0),
                Arguments.of("kubelet-escapes.prom", List.of(
                        "container_network_receive_bytes_total{container=\"\",id=\"/a\\\\b\\\"c\\nd\",image=\"\",interface=\"eth0\",namespace=\"tü\",pod=\"püd-中\"} NaN none",
                        "container_network_receive_bytes_total{interface=\"eth1\",namespace=\"team-a\",pod=\"x\"} Infinity -1",
                        "container_network_receive_bytes_total{interface=\"eth2\",namespace=\"team-a\",pod=\"x\"} -Infinity 42",
                        "container_network_receive_bytes_total{} 0.0015 none",
                        "container_network_receive_bytes_total{} 1.25E-4 0",
                        "container_network_transmit_bytes_total{interface=\"eth0\",namespace=\"team-a\",pod=\"y\"} 1.2345678901234567E19 none",
                        "container_network_transmit_bytes_total{interface=\"eth0\",namespace=\"team-a\",pod=\"z\"} 1.7976931348623157E308 none",
                        "container_network_transmit_packets_total{interface=\"eth0\",namespace=\"team-a\",pod=\"z\"} -5.0 none"),
                        0),
                Arguments.of("kubelet-malformed.prom", List.of(
                        "container_network_receive_bytes_total{namespace=\"ok\",pod=\"good\",interface=\"eth0\"} 100.0 1000",
                        "container_network_transmit_bytes_total{namespace=\"ok\",pod=\"good\",interface=\"eth0\"} 200.0 2000"),
                        14));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void keepsNetworkLines_andCountsMalformedOnes_twiceOnOneInstance(String fixture, List<String> expected,
            int malformed) {
        byte[] payload = fixture(fixture);
        CadvisorTextParser parser = new CadvisorTextParser();
        for (int round = 0; round < 2; round++) {
            List<String> got = new ArrayList<>();
            int errors = parser.parse(payload, 0, payload.length, (f, l, v, ts) -> got.add(render(f, l, v, ts)));
            assertThat(got).as("round %d", round).containsExactlyElementsOf(expected);
            assertThat(errors).as("malformed lines, round %d", round).isEqualTo(malformed);
            assertThat(parser.keptLines()).isEqualTo(expected.size());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void streamedInChunksOfAnySize_givesWhatTheWholeBodyGives(String fixture, List<String> expected, int malformed)
            throws Exception {
        byte[] payload = fixture(fixture);
        CadvisorTextParser parser = new CadvisorTextParser();
        for (int chunk : new int[] {1, 2, 3, 7, 64, 1000, payload.length + 1}) {
            List<String> got = new ArrayList<>();
            int errors = parser.parse(chunks(payload, chunk), (f, l, v, ts) -> got.add(render(f, l, v, ts)));
            assertThat(got).as("chunks of %d bytes", chunk).containsExactlyElementsOf(expected);
            assertThat(errors).as("malformed lines, chunks of %d bytes", chunk).isEqualTo(malformed);
        }
    }

    @Test
    void streamed_skipsOtherFamiliesLinesOfAnyLength_butDropsAndCountsAKeptLineLongerThanTheWindow()
            throws Exception {
        String huge = "x".repeat(3 * CadvisorTextParser.WINDOW);
        String body = "# HELP " + huge + "\n"
                + "container_cpu_usage_seconds_total{id=\"" + huge + "\"} 1\n"
                + "container_network_receive_bytes_total{pod=\"" + huge + "\"} 2\n"
                + "container_network_receive_bytes_total{pod=\"a\"} 3\n";
        CadvisorTextParser parser = new CadvisorTextParser();
        for (int round = 0; round < 2; round++) {
            List<String> got = new ArrayList<>();
            int errors = parser.parse(chunks(body.getBytes(StandardCharsets.UTF_8), 8192),
                    (f, l, v, ts) -> got.add(render(f, l, v, ts)));
            assertThat(got).containsExactly("container_network_receive_bytes_total{pod=\"a\"} 3.0 none");
            assertThat(errors).isEqualTo(1);
            assertThat(parser.longLines()).isEqualTo(1);
        }
    }

    @Test
    void streamed_aKeptLineCutByTheEndOfTheBody_isMalformed() throws Exception {
        byte[] body = "container_network_receive_bytes_total{pod=\"a\"} 3\ncontainer_network_receive_bytes_total{pod=\"b\"} 4"
                .getBytes(StandardCharsets.UTF_8);
        List<String> got = new ArrayList<>();
        int errors = new CadvisorTextParser().parse(chunks(body, 5), (f, l, v, ts) -> got.add(l.get("pod")));
        assertThat(got).containsExactly("a");
        assertThat(errors).isEqualTo(1);
    }

    /** {@code payload} read {@code size} bytes at a time. */
    @Test
    void namesThatShareOrNearlyShareTheKeptPrefix_areReadToTheirEnd_atEveryChunkBoundary() throws Exception {
        String body = String.join("\n",
                "container_network_tcp_usage_total{pod=\"a\",tcp_state=\"close\"} 1",
                "container_networx_receive_bytes_total{pod=\"b\",interface=\"eth0\"} 2",
                "container_network_receive_bytes_totals{pod=\"c\",interface=\"eth0\"} 3",
                "container_cpu_usage_seconds_total{pod=\"d\"} 4",
                "c 5",
                "container_network_receive_bytes_total{pod=\"e\",interface=\"eth0\"} 6",
                "container_network_ 7",
                "{pod=\"f\"} 8",
                "container_network_transmit_bytes_total{pod=\"g\",interface=\"eth0\"} 9") + "\n";
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= payload.length + 1; chunk++) {
            List<String> got = new ArrayList<>();
            int errors = new CadvisorTextParser().parse(chunks(payload, chunk), (f, l, v, ts) -> got.add(l.get("pod") + "=" + v));
            assertThat(got).as("chunks of %d bytes", chunk).containsExactly("e=6.0", "g=9.0");
            assertThat(errors).as("malformed lines, chunks of %d bytes", chunk).isEqualTo(1); // the line without a name
        }
    }

    static CadvisorTextParser.ChunkSource chunks(byte[] payload, int size) {
        int[] at = {0};
        return (b, off, len) -> {
            if (at[0] == payload.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, size), payload.length - at[0]);
            System.arraycopy(payload, at[0], b, off, n);
            at[0] += n;
            return n;
        };
    }

    @Test
    void lineEnd_findsTheFirstNewline_atEveryOffsetAndLength_likeAByteLoop() {
        java.util.Random random = new java.util.Random(14);
        for (int round = 0; round < 20_000; round++) {
            byte[] buf = new byte[random.nextInt(40)];
            for (int i = 0; i < buf.length; i++) {
                int r = random.nextInt(10);
                buf[i] = r == 0 ? (byte) '\n' : r == 1 ? (byte) 0x8a : r == 2 ? (byte) 0x0b : (byte) random.nextInt(256);
            }
            int from = buf.length == 0 ? 0 : random.nextInt(buf.length + 1);
            int end = from + random.nextInt(buf.length - from + 1);
            int expected = from;
            while (expected < end && buf[expected] != '\n') {
                expected++;
            }
            assertThat(CadvisorTextParser.lineEnd(buf, from, end)).as("round %d", round).isEqualTo(expected);
        }
    }

    @Test
    void parsesARegionOfALargerBuffer_only() {
        byte[] line = "container_network_receive_bytes_total{pod=\"a\"} 7\n".getBytes(StandardCharsets.UTF_8);
        byte[] buf = new byte[line.length + 20];
        java.util.Arrays.fill(buf, (byte) 'x');
        System.arraycopy(line, 0, buf, 10, line.length);
        List<String> got = new ArrayList<>();
        int errors = new CadvisorTextParser().parse(buf, 10, line.length, (f, l, v, ts) -> got.add(render(f, l, v, ts)));
        assertThat(errors).isZero();
        assertThat(got).containsExactly("container_network_receive_bytes_total{pod=\"a\"} 7.0 none");
    }

    @Test
    void reusesLabelStrings_acrossScrapes() {
        byte[] payload = fixture("kubelet-basic.prom");
        CadvisorTextParser parser = new CadvisorTextParser();
        List<String> first = new ArrayList<>();
        parser.parse(payload, 0, payload.length, (f, l, v, ts) -> first.add(l.get("pod")));
        int cached = parser.cachedStrings();
        List<String> second = new ArrayList<>();
        parser.parse(payload, 0, payload.length, (f, l, v, ts) -> second.add(l.get("pod")));
        assertThat(parser.cachedStrings()).isEqualTo(cached);
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
    }

    @Test
    void emptyInput_givesNothing() {
        List<String> got = new ArrayList<>();
        assertThat(new CadvisorTextParser().parse(new byte[0], 0, 0, (f, l, v, ts) -> got.add("x"))).isZero();
        assertThat(got).isEmpty();
    }

    static String render(NetworkFamily f, ParsedLabels l, double v, long ts) {
        StringBuilder sb = new StringBuilder(f.metricName()).append('{');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(l.name(i)).append("=\"");
            TextEscaper.appendLabelValue(sb, l.value(i));
            sb.append('"');
        }
        return sb.append("} ").append(v).append(' ')
                .append(ts == CadvisorTextParser.NO_TIMESTAMP ? "none" : Long.toString(ts)).toString();
    }

    static byte[] fixture(String name) {
        try (InputStream in = CadvisorTextParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
