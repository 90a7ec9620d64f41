package dev.netcost.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void controlCharacters_areEscaped_tabsAndOtherTextKept() {
        assertThat(Printable.of("a\tb\nc\rd\u001b[31me\u0000f\u0085g\u2028h"))
                .isEqualTo("a\tb\\nc\\rd\\u001b[31me\\u0000f\\u0085g\\u2028h");
        String clean = "text/plain; version=0.0.4 ünïcode";
        assertThat(Printable.of(clean)).isSameAs(clean);
    }

    @Test
    void longText_isCutWhereSaid_andNullIsEmpty() {
        assertThat(Printable.of("abcdef", 3)).isEqualTo("abc...");
        assertThat(Printable.of("ab\ncdef", 3)).isEqualTo("ab\\n...");
        assertThat(Printable.of("abc", 3)).isEqualTo("abc");
        assertThat(Printable.of(null, 3)).isEmpty();
    }
}
