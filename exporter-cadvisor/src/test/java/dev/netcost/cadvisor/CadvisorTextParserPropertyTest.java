package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import dev.netcost.core.model.TextEscaper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Any exposition written by a simple reference writer parses back to the samples it was written
 * from: every kept family's labels (in order), value and timestamp, and nothing of other families.
 */
class CadvisorTextParserPropertyTest {
    private static final String[] OTHER_FAMILIES = {"container_cpu_usage_seconds_total",
        "container_network_tcp_usage_total", "container_network_receive_bytes_total_x", "machine_cpu_cores",
        "container_fs_reads_bytes_total", "a:b_c"};
    private static final String[] LABEL_NAMES = {"container", "id", "image", "interface", "name", "namespace", "pod",
        "_x", "Z9", "tcp_state"};
    private static final String[] BLANKS = {" ", "  ", "\t"};

    /** One written line and the sample it must parse to (null for lines of other families). */
    record Line(String text, String expected) {
    }

    @Test
    void referenceWriterOutput_parsesBackToTheSameSamples() {
        Gen<List<Line>> expositions = in -> {
            int n = integers().between(0, 40).generate(in);
            List<Line> lines = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                lines.add(line().generate(in));
            }
            return lines;
        };
        CadvisorTextParser parser = new CadvisorTextParser(); // one instance for every example: buffers carry over
        qt().withExamples(2_000).forAll(expositions).checkAssert(lines -> {
            StringBuilder text = new StringBuilder();
            List<String> expected = new ArrayList<>();
            for (Line l : lines) {
                text.append(l.text());
                if (l.expected() != null) {
                    expected.add(l.expected());
                }
            }
            byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
            for (int round = 0; round < 2; round++) {
                List<String> got = new ArrayList<>();
                int errors = parser.parse(bytes, 0, bytes.length,
                        (f, l, v, ts) -> got.add(CadvisorTextParserTest.render(f, l, v, ts)));
                assertThat(errors).as("malformed lines in:\n%s", text).isZero();
                assertThat(got).as("parsed from:\n%s", text).containsExactlyElementsOf(expected);
            }
        });
    }

    private static Gen<Line> line() {
        return in -> {
            int kind = integers().between(0, 9).generate(in);
            if (kind == 0) {
                return new Line("# HELP " + OTHER_FAMILIES[0] + " any \"text\" \\ here\n# TYPE x counter\n", null);
            }
            boolean kept = kind >= 4;
            NetworkFamily family = NetworkFamily.all()[integers().between(0, 7).generate(in)];
            String name = kept ? family.metricName() : OTHER_FAMILIES[integers().between(0, OTHER_FAMILIES.length - 1).generate(in)];
            StringBuilder text = new StringBuilder(name);
            StringBuilder rendered = new StringBuilder(family.metricName()).append('{');
            int labelCount = integers().between(-1, 5).generate(in); // -1: no braces at all
            if (labelCount >= 0) {
                text.append(integers().between(0, 3).generate(in) == 0 ? " {" : "{");
                List<String> used = new ArrayList<>();
                for (int i = 0; i < labelCount; i++) {
                    String label = LABEL_NAMES[integers().between(0, LABEL_NAMES.length - 1).generate(in)];
                    if (used.contains(label)) {
                        continue;
                    }
                    String value = labelValue().generate(in);
                    if (!used.isEmpty()) {
                        text.append(',');
                        rendered.append(',');
                    }
                    used.add(label);
                    text.append(label).append("=\"");
                    TextEscaper.appendLabelValue(text, value);
                    text.append('"');
                    rendered.append(label).append("=\"");
                    TextEscaper.appendLabelValue(rendered, value);
                    rendered.append('"');
                }
                text.append('}');
            }
            rendered.append("} ");
            text.append(BLANKS[integers().between(0, BLANKS.length - 1).generate(in)]);
            double value = value().generate(in);
            if (integers().between(0, 1).generate(in) == 0) {
                TextEscaper.appendValue(text, value);
                rendered.append(value == 0 ? 0.0 : value); // the reference writes -0 as 0
            } else {
                text.append(goStyle(value));
                rendered.append(value);
            }
            rendered.append(' ');
            if (integers().between(0, 2).generate(in) == 0) {
                rendered.append("none");
            } else {
                long ts = longs().between(-10_000_000_000_000L, 10_000_000_000_000L).generate(in);
                text.append(BLANKS[integers().between(0, BLANKS.length - 1).generate(in)]).append(ts);
                rendered.append(ts);
            }
            text.append('\n');
            return new Line(text.toString(), kept ? rendered.toString() : null);
        };
    }

    private static Gen<String> labelValue() {
        Gen<String> any = strings().basicMultilingualPlaneAlphabet().ofLengthBetween(0, 12)
                .map(CadvisorTextParserPropertyTest::withoutSurrogates);
        Gen<String> tricky = strings().betweenCodePoints('!', '~').ofLengthBetween(0, 6)
                .map(s -> s + "\\\"\n" + s);
        return any.mix(tricky, 30);
    }

    private static Gen<Double> value() {
        Gen<Double> special = integers().between(0, 3).map(i -> new double[] {Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, -0.0}[i]);
        Gen<Double> counters = longs().between(0, 1L << 53).map(l -> (double) l);
        return doubles().any().mix(counters, 50).mix(special, 10);
    }

    /** Go's %g-like spelling ({@code 1.23456789e+08}) of the shortest round-tripping digits. */
    private static String goStyle(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String exp = s.substring(e + 1);
        boolean negative = exp.startsWith("-");
        String digits = negative ? exp.substring(1) : exp;
        return s.substring(0, e) + "e" + (negative ? "-" : "+") + (digits.length() < 2 ? "0" : "") + digits;
    }

    private static String withoutSurrogates(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(Character.isSurrogate(c) ? 'x' : c);
        }
        return sb.toString();
    }
}
