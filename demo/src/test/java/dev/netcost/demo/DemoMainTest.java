package dev.netcost.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return DemoMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void help_printsTheUsage() {
        assertThat(run("demo", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("usage: netcost demo [--check] [--keep]");
    }

    @Test
    void badOptions_areAUsageError() {
        assertThat(run("--frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--frobnicate'").contains("usage:");
        assertThat(run("--backend", "iptables")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--backend 'iptables': use auto, nft or legacy");
        assertThat(DemoOptions.parse(List.of("--check", "--backend", "legacy")))
                .isEqualTo(new DemoOptions(true, false, "legacy", false));
    }
}
