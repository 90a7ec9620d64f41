package dev.netcost.report.measure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MeasurementsTest {
    private static final Window W = new Window(Instant.parse("2026-11-30T00:00:00Z"), Instant.parse("2026-11-30T02:00:00Z"));
    private static final PodRef A = new PodRef("", "ns", "a", "a", "Deployment", "n1", "z1");
    private static final PodRef B = new PodRef("", "ns", "b", "b", "Deployment", "n2", "z2");
    private static final LoadBalancerRef LB = new LoadBalancerRef("", "k8s-lb", "network");

    private static Measurements build(boolean aFirst) {
        Measurements.Builder b = Measurements.builder(W);
        for (PodRef p : aFirst ? new PodRef[] {A, B} : new PodRef[] {B, A}) {
            b.podBytes(p, "egress", "cross_zone", 1, p == A ? 10 : 20);
            b.loadBalancerBytes(p, LB, "cross_zone", 0, p == A ? 1 : 2);
            b.loadBalancerConnections(p, LB, 0, p == A ? 3 : 4);
        }
        return b.build();
    }

    @Test
    void podsGetTheSameIndices_whateverOrderTheQueriesAnsweredIn() {
        for (boolean aFirst : new boolean[] {true, false}) {
            Measurements m = build(aFirst);
            assertThat(m.pods()).containsExactly(A, B);
            // Cross-zone: the pod's own bytes in hour 1 plus its NLB cross-zone bytes in hour 0.
            assertThat(m.bytes(PodMeasure.CROSS_ZONE, 0)).containsExactly(1, 10);
            assertThat(m.bytes(PodMeasure.CROSS_ZONE, 1)).containsExactly(2, 20);
            assertThat(m.loadBalancers().get(LB).connections().get(0)).containsExactly(3, 0);
            assertThat(m.loadBalancers().get(LB).bytes().get(1)).containsExactly(2, 0);
        }
    }

    @Test
    void onlyCostlyClassesAreKept_andInternetEgressIsAlsoInternet() {
        Measurements.Builder b = Measurements.builder(W);
        b.podBytes(A, "egress", "same_zone", 0, 5);
        b.podBytes(A, "egress", "in_vpc", 0, 5);
        b.podBytes(A, "egress", "internet", 0, 7);
        b.podBytes(A, "ingress", "internet", 0, 3);
        Measurements m = b.build();
        assertThat(m.bytes(PodMeasure.INTERNET_EGRESS, 0)).containsExactly(7, 0);
        assertThat(m.bytes(PodMeasure.INTERNET, 0)).containsExactly(10, 0);
        assertThat(m.bytes(PodMeasure.CROSS_ZONE, 0)).isNull();
    }
}
