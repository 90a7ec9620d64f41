package dev.netcost.core.remotewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import dev.netcost.core.model.Sample;
import dev.netcost.core.remotewrite.prompb.Remote;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WriteRequestEncoderTest {
    private static Remote.WriteRequest decode(WriteRequestEncoder e) throws Exception {
        return Remote.WriteRequest.parseFrom(Arrays.copyOf(e.buffer(), e.size()));
    }

    /** Lengths around the varint boundaries of labels (1 byte reserved) and series (2 reserved). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 127, 128, 129, 300, 16_383, 16_384, 20_000, 3_000_000})
    void encodesLengthsAcrossVarintBoundaries_twiceOnOneInstance(int valueLength) throws Exception {
        WriteRequestEncoder e = new WriteRequestEncoder(16);
        Sample s = new Sample(Labels.of("m", "pod", "p", "blob", "é".repeat(valueLength / 2) + "x".repeat(valueLength % 2)),
                42.5, 1_700_000_000_000L);
        for (int round = 0; round < 2; round++) {
            e.reset();
            e.add(s);
            e.add(s);
            Remote.WriteRequest r = decode(e);
            assertThat(r.getTimeseriesCount()).isEqualTo(2);
            assertThat(r.getTimeseries(1).getLabelsList()).extracting(Remote.Label::getValue)
                    .contains(s.labels().get("pod"));
            if (valueLength > 0) {
                assertThat(r.getTimeseries(0).getLabelsList()).extracting(Remote.Label::getValue)
                        .contains(s.labels().get("blob"));
            }
            assertThat(e.size()).isEqualTo(2 * WriteRequestEncoder.encodedSize(s));
        }
    }

    @Test
    void removeLast_leavesExactlyTheEarlierSamples() throws Exception {
        Sample a = new Sample(Labels.of("a", "x", "1"), 1, 1);
        Sample b = new Sample(Labels.of("b", "y", "2".repeat(500)), 2, 2);
        WriteRequestEncoder only = new WriteRequestEncoder(16);
        only.add(a);
        WriteRequestEncoder e = new WriteRequestEncoder(16);
        e.add(a);
        e.add(b);
        e.removeLast();
        assertThat(e.sampleCount()).isEqualTo(1);
        assertThat(Arrays.copyOf(e.buffer(), e.size())).isEqualTo(Arrays.copyOf(only.buffer(), only.size()));
        assertThat(decode(e).getTimeseries(0).getSamples(0).getValue()).isEqualTo(1.0);
    }
}
