package dev.netcost.cadvisor;

import dev.netcost.core.testing.MutableClusterMetadata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netcost.core.model.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeletSampleFilterTest {
    private static final String PAYLOAD = """
            container_network_receive_bytes_total{container="",id="/kubepods/pod1",interface="eth0",namespace="shop",pod="a"} 1
            container_network_receive_bytes_total{container="POD",id="/kubepods/pod1/abc",interface="eth0",namespace="shop",pod="a"} 1
            container_network_receive_bytes_total{container="app",id="/kubepods/pod1/def",interface="eth0",namespace="shop",pod="a"} 1
            container_network_receive_bytes_total{container="",id="/",interface="ens5",namespace="",pod=""} 9
            container_network_receive_bytes_total{container="",id="/kubepods/pod2",interface="eth0",namespace="shop",pod="b",extra="kept"} 2
            """;

    private final MutableClusterMetadata metadata = FixedMetadata.of(List.of(FixedMetadata.pod("shop", "a", "1", false)));
    private final KubeletSampleFilter filter = new KubeletSampleFilter(metadata);
    private final CadvisorTextParser parser = new CadvisorTextParser();

    private List<Labels> scrape(String payload) {
        List<Labels> out = new ArrayList<>();
        byte[] b = payload.getBytes(StandardCharsets.UTF_8);
        filter.begin((l, v, ts) -> out.add(l));
        parser.parse(b, 0, b.length, filter);
        assertThat(filter.end()).isEqualTo(out.size());
        return out;
    }

    @Test
    void keepsSandboxSeriesOfPods_once_andExtraCadvisorLabels() {
        List<Labels> got = scrape(PAYLOAD);
        assertThat(got).containsExactly(
                Labels.of("container_network_receive_bytes_total", "namespace", "shop", "pod", "a", "interface", "eth0",
                        "node", "node-p", "zone", "zone-p", "workload", "a-wl", "workload_kind", "StatefulSet"),
                Labels.of("container_network_receive_bytes_total", "namespace", "shop", "pod", "b", "interface", "eth0",
                        "extra", "kept", "node", "node-p", "zone", "zone-p", "workload", "b", "workload_kind", "Pod"));
    }

    @Test
    void reusesLabelObjects_acrossScrapes_untilTheMetadataChanges() {
        List<Labels> first = scrape(PAYLOAD);
        List<Labels> second = scrape(PAYLOAD);
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThat(second.get(1)).isSameAs(first.get(1));
        metadata.touch();
        List<Labels> third = scrape(PAYLOAD);
        assertThat(third).isEqualTo(first);
        assertThat(third.get(0)).isNotSameAs(first.get(0));
    }

    @Test
    void forgetsSeriesThatStopAppearing() {
        scrape(PAYLOAD);
        String onlyA = PAYLOAD.lines().limit(1).findFirst().orElseThrow() + "\n";
        for (int i = 0; i < 3; i++) {
            assertThat(scrape(onlyA)).hasSize(1);
        }
        List<Labels> back = scrape(PAYLOAD);
        assertThat(back).hasSize(2);
    }
}
