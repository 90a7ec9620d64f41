package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz test of the parser. Under a plain {@code mvn verify} it runs in regression mode on the
 * inputs in {@code CadvisorTextParserFuzzTestInputs/}; with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class CadvisorTextParserFuzzTest {
    private final CadvisorTextParser parser = new CadvisorTextParser();

    @FuzzTest(maxDuration = "60s")
    void anyBytes_parseWithoutThrowing_andTheSameTwice_andTheSameStreamed(byte[] data) throws Exception {
        List<String> first = new ArrayList<>();
        int errors = parser.parse(data, 0, data.length, (f, l, v, ts) -> first.add(CadvisorTextParserTest.render(f, l, v, ts)));
        int lines = 1;
        for (byte b : data) {
            if (b == '\n') {
                lines++;
            }
        }
        assertThat(errors + first.size()).isLessThanOrEqualTo(lines);
        List<String> second = new ArrayList<>();
        int errors2 = parser.parse(data, 0, data.length, (f, l, v, ts) -> second.add(CadvisorTextParserTest.render(f, l, v, ts)));
        assertThat(second).isEqualTo(first);
        assertThat(errors2).isEqualTo(errors);
        for (int chunk : new int[] {1, 3, 17}) {
            List<String> streamed = new ArrayList<>();
            int errors3 = parser.parse(CadvisorTextParserTest.chunks(data, chunk),
                    (f, l, v, ts) -> streamed.add(CadvisorTextParserTest.render(f, l, v, ts)));
            assertThat(streamed).as("chunks of %d", chunk).isEqualTo(first);
            assertThat(errors3).as("chunks of %d", chunk).isEqualTo(errors);
        }
    }
}
