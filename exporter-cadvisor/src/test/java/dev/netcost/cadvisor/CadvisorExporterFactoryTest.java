package dev.netcost.cadvisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netcost.core.config.ConfigException;
import dev.netcost.core.config.ConfigLoader;
import dev.netcost.core.spi.ExporterFactory;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class CadvisorExporterFactoryTest {
    private static CadvisorConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env, List.of(new CadvisorExporterFactory(env))).loadString(yaml)
                .exporterConfig("cadvisor", CadvisorConfig.class);
    }

    @Test
    void isRegisteredForServiceLoader_underTheKeyCadvisor() {
        assertThat(ServiceLoader.load(ExporterFactory.class).stream().map(ServiceLoader.Provider::type))
                .contains(CadvisorExporterFactory.class);
        assertThat(new CadvisorExporterFactory().configKey()).isEqualTo("cadvisor");
    }

    @Test
    void defaults_pointAtTheKubeletOfNodeIp_withTheServiceAccountsTokenAndCa() {
        CadvisorConfig c = parse("", Map.of("NODE_IP", "10.0.1.23"));
        assertThat(c).isEqualTo(new CadvisorConfig(true, CadvisorConfig.Source.KUBELET,
                URI.create("https://10.0.1.23:10250/metrics/cadvisor"),
                Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"),
                Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"), false, Duration.ofSeconds(10),
                256L << 20, 0, CadvisorConfig.Compression.NONE, Path.of("/proc"), Path.of("/sys/fs/cgroup")));
        assertThat(parse("", Map.of("NODE_IP", "fd00::17")).url())
                .isEqualTo(URI.create("https://[fd00::17]:10250/metrics/cadvisor"));
        assertThat(parse("", Map.of()).url()).isNull();
    }

    @Test
    void everyKeyIsRead_andEmptyPathsTurnTokenAndCaOff() {
        CadvisorConfig c = parse("""
                cadvisor:
                  enabled: false
                  source: procfs
                  url: http://127.0.0.1:4194/metrics/cadvisor
                  bearerTokenFile: ""
                  caFile: ""
                  insecureSkipVerify: true
                  timeout: 3s
                  maxBytes: 16MiB
                  maxSeries: 5000
                  compression: gzip
                  procRoot: /host/proc
                  cgroupRoot: /host/sys/fs/cgroup
                """, Map.of());
        assertThat(c).isEqualTo(new CadvisorConfig(false, CadvisorConfig.Source.PROCFS,
                URI.create("http://127.0.0.1:4194/metrics/cadvisor"), null, null, true, Duration.ofSeconds(3),
                16L << 20, 5000, CadvisorConfig.Compression.GZIP, Path.of("/host/proc"), Path.of("/host/sys/fs/cgroup")));
        assertThat(new CadvisorExporterFactory().enabled(c)).isFalse();
    }

    @Test
    void maxSeries_followsTheHeap_unlessSet() {
        CadvisorConfig auto = parse("", Map.of());
        assertThat(auto.effectiveMaxSeries(154L << 20)).isEqualTo((154 << 20) / (8 * 1024));
        assertThat(auto.effectiveMaxSeries(1L << 20)).as("never below 1,000").isEqualTo(1_000);
        assertThat(parse("cadvisor: {maxSeries: 300}", Map.of()).effectiveMaxSeries(1L << 30)).isEqualTo(300);
    }

    @Test
    void invalidValues_areAllReportedAtOnce() {
        assertThatThrownBy(() -> parse("""
                cadvisor:
                  source: cadvisor
                  url: ftp://x/
                  timeout: 1ms
                  maxBytes: 2GiB
                  colour: blue
                """, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cadvisor.source: must be kubelet or procfs, got 'cadvisor'")
                .hasMessageContaining("cadvisor.url: must be an http:// or https:// URL")
                .hasMessageContaining("cadvisor.timeout: must be at least 100ms")
                .hasMessageContaining("cadvisor.maxBytes: must be at most 1GiB")
                .hasMessageContaining("cadvisor.colour: unknown key");
    }
}
