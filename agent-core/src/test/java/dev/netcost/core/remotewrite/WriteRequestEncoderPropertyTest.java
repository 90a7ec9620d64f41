package dev.netcost.core.remotewrite;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.prompb.Remote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.xerial.snappy.Snappy;

class WriteRequestEncoderPropertyTest {
    private static final double[] SPECIAL = {Double.NaN, Sample.STALE_NAN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE};

    private static Gen<String> labelName() {
        Gen<String> first = strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 1);
        Gen<String> rest = strings().betweenCodePoints('0', 'z').ofLengthBetween(0, 12)
                .map(s -> s.replaceAll("[^a-zA-Z0-9_]", "_"));
        return first.zip(rest, String::concat);
    }

    private static Gen<Labels> labels() {
        Gen<String> value = strings().allPossible().ofLengthBetween(0, 20);
        return lists().of(labelName().zip(value, (n, v) -> new String[] {n, v})).ofSizeBetween(0, 8).map(pairs -> {
            Labels.Builder b = Labels.builder("metric_x");
            List<String> seen = new ArrayList<>();
            for (String[] p : pairs) {
                if (!seen.contains(p[0]) && !p[0].equals("__name__")) {
                    seen.add(p[0]);
                    b.add(p[0], p[1]);
                }
            }
            return b.build();
        });
    }

    private static Gen<Double> values() {
        return integers().between(0, SPECIAL.length).zip(doubles().any(), (i, d) -> i < SPECIAL.length ? SPECIAL[i] : d);
    }

    private static Gen<Sample> samples() {
        return labels().zip(values(), longs().all(), Sample::new);
    }

    @Test
    void encodingDecodesToTheSameSeries_forAnyLabelsValuesAndTimestamps() {
        WriteRequestEncoder enc = new WriteRequestEncoder(16);
        qt().withExamples(500).forAll(lists().of(samples()).ofSizeBetween(1, 20)).checkAssert(batch -> {
            enc.reset();
            for (Sample s : batch) {
                enc.add(s);
            }
            Remote.WriteRequest req;
            try {
                req = Remote.WriteRequest.parseFrom(Arrays.copyOf(enc.buffer(), enc.size()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            org.assertj.core.api.Assertions.assertThat(req.getTimeseriesCount()).isEqualTo(batch.size());
            int expectedSize = 0;
            for (int i = 0; i < batch.size(); i++) {
                Sample s = batch.get(i);
                expectedSize += WriteRequestEncoder.encodedSize(s);
                Remote.TimeSeries ts = req.getTimeseries(i);
                org.assertj.core.api.Assertions.assertThat(ts.getLabelsCount()).isEqualTo(s.labels().size());
                for (int l = 0; l < s.labels().size(); l++) {
                    org.assertj.core.api.Assertions.assertThat(ts.getLabels(l).getName()).isEqualTo(s.labels().name(l));
                    org.assertj.core.api.Assertions.assertThat(ts.getLabels(l).getValue())
                            .isEqualTo(wellFormed(s.labels().value(l)));
                }
                org.assertj.core.api.Assertions.assertThat(Double.doubleToRawLongBits(ts.getSamples(0).getValue()))
                        .isEqualTo(Double.doubleToRawLongBits(s.value()));
                org.assertj.core.api.Assertions.assertThat(ts.getSamples(0).getTimestamp()).isEqualTo(s.timestampMs());
            }
            org.assertj.core.api.Assertions.assertThat(enc.size()).isEqualTo(expectedSize);
        });
    }

    /** What a string looks like after a UTF-8 round trip: unpaired surrogates become '?'. */
    private static String wellFormed(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('?');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    @Test
    void snappyOutputDecompressesToTheInput() {
        SnappyBlockCompressor c = new SnappyBlockCompressor();
        qt().withExamples(300).forAll(lists().of(integers().between(0, 255)).ofSizeBetween(0, 5000),
                integers().between(1, 8)).checkAssert((bytes, period) -> {
                    byte[] in = new byte[bytes.size()];
                    for (int i = 0; i < in.length; i++) {
                        in[i] = (byte) (int) (i % (period * 7) == 0 ? bytes.get(i) : bytes.get(i % period));
                    }
                    c.compress(in, in.length);
                    try {
                        byte[] out = Snappy.uncompress(Arrays.copyOf(c.buffer(), c.size()));
                        org.assertj.core.api.Assertions.assertThat(out).isEqualTo(in);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
    }
}
