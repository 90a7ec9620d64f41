package dev.netcost.core.k8s;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The classifier against {@link LinearReference}, a plain scan over every entry, on random tables packed
 * into a small address space so that prefixes nest, overlap, repeat and contradict exact addresses.
 */
class TrafficClassifierPropertyTest {
    private static final String[] ZONES = {"", "a", "b", "c"};

    @Test
    void ipv4_matchesLinearScan_andTheSetsAgree() {
        qt().withExamples(1_500)
                .forAll(longs().all(), integers().between(0, 40))
                .checkAssert((seed, n) -> check(new Random(seed), n, 4));
    }

    @Test
    void ipv6_matchesLinearScan_andTheSetsAgree() {
        qt().withExamples(1_500)
                .forAll(longs().all(), integers().between(0, 40))
                .checkAssert((seed, n) -> check(new Random(seed), n, 16));
    }

    private static void check(Random r, int entries, int bytes) {
        LinearReference ref = new LinearReference(ZONES[r.nextInt(ZONES.length)]);
        TrafficClassifier.Builder b = TrafficClassifier.builder().nodeZone(ref.nodeZone);
        byte[] base = base(r, bytes);
        for (int i = 0; i < entries; i++) {
            String zone = ZONES[r.nextInt(ZONES.length)];
            boolean thisNode = r.nextInt(6) == 0;
            switch (r.nextInt(3)) {
                case 0 -> {
                    byte[] a = near(r, base);
                    ref.address(a, zone, thisNode);
                    b.address(a, zone, thisNode);
                }
                case 1 -> {
                    Cidr c = new Cidr(near(r, base), bytes * 8 - r.nextInt(12));
                    ref.zonePrefix(c, zone, thisNode);
                    b.zonePrefix(c, zone, thisNode);
                }
                default -> {
                    Cidr c = new Cidr(near(r, base), bytes * 8 - r.nextInt(14));
                    ref.vpc(c);
                    b.vpc(c);
                }
            }
        }
        TrafficClassifier classifier = b.build();
        ClassificationSets sets = classifier.sets();
        for (int q = 0; q < 300; q++) {
            byte[] a = r.nextInt(20) == 0 ? random(r, bytes) : near(r, base);
            TrafficClass expected = ref.classify(a);
            TrafficClass actual = bytes == 4 ? classifier.classifyIpv4(TrafficClassifier.toInt(a))
                    : classifier.classifyIpv6(TrafficClassifier.toLong(a, 0), TrafficClassifier.toLong(a, 8));
            if (actual != expected) {
                throw new AssertionError("classify " + new Cidr(a, bytes * 8) + ": expected " + expected + " got "
                        + actual + "\n" + ref);
            }
            TrafficClass fromSets = LinearReference.fromSets(sets, a);
            if (fromSets != expected) {
                throw new AssertionError("sets for " + new Cidr(a, bytes * 8) + ": expected " + expected + " got "
                        + fromSets + "\n" + ref + "\nsets " + sets);
            }
        }
    }

    /** A random base address; for IPv6 mostly one that is not IPv4-mapped. */
    private static byte[] base(Random r, int bytes) {
        byte[] a = random(r, bytes);
        if (bytes == 16) {
            a[0] = (byte) (r.nextBoolean() ? 0xfd : 0x20);
        } else if (r.nextBoolean()) {
            a[0] = 10; // inside the default private ranges
        }
        return a;
    }

    private static byte[] random(Random r, int bytes) {
        byte[] a = new byte[bytes];
        r.nextBytes(a);
        return a;
    }

    /** An address sharing all but the last 14 bits with {@code base}. */
    private static byte[] near(Random r, byte[] base) {
        byte[] a = base.clone();
        int n = a.length;
        a[n - 1] = (byte) r.nextInt(256);
        a[n - 2] = (byte) ((a[n - 2] & 0xC0) | r.nextInt(64));
        return a;
    }

    /** Classification by scanning every entry; written for obviousness, not speed. */
    static final class LinearReference {
        private record Entry(Cidr cidr, String zone, boolean thisNode, boolean vpc, boolean exact, int order) {
        }

        final String nodeZone;
        private final List<Entry> entries = new ArrayList<>();
        private boolean vpcGiven;

        LinearReference(String nodeZone) {
            this.nodeZone = nodeZone;
        }

        void address(byte[] a, String zone, boolean thisNode) {
            entries.add(new Entry(new Cidr(a, a.length * 8), zone, thisNode, false, true, entries.size()));
        }

        void zonePrefix(Cidr c, String zone, boolean thisNode) {
            entries.add(new Entry(c, zone, thisNode, false, false, entries.size()));
        }

        void vpc(Cidr c) {
            entries.add(new Entry(c, "", false, true, false, entries.size()));
            vpcGiven = true;
        }

        TrafficClass classify(byte[] a) {
            List<Entry> all = new ArrayList<>(entries);
            if (!vpcGiven) {
                for (Cidr c : TrafficClassifier.DEFAULT_PRIVATE_RANGES) {
                    all.add(new Entry(c, "", false, true, false, all.size()));
                }
            }
            TrafficClass exact = null;
            boolean unzonedExact = false;
            for (Entry e : all) {
                if (e.exact && contains(e.cidr, a)) {
                    if (!e.thisNode && e.zone.isEmpty()) {
                        unzonedExact = true;
                    } else {
                        TrafficClass c = zoneClass(e);
                        exact = exact == null || c.ordinal() < exact.ordinal() ? c : exact;
                    }
                }
            }
            if (exact != null) {
                return exact;
            }
            Entry best = null;
            for (Entry e : all) {
                if (!e.exact && contains(e.cidr, a) && (best == null || better(e, best))) {
                    best = e;
                }
            }
            TrafficClass prefixClass = best == null ? TrafficClass.INTERNET
                    : best.vpc ? TrafficClass.IN_VPC : zoneClass(best);
            if (unzonedExact) {
                return prefixClass == TrafficClass.SAME_ZONE || prefixClass == TrafficClass.CROSS_ZONE
                        ? prefixClass : TrafficClass.IN_VPC;
            }
            return prefixClass;
        }

        private boolean better(Entry e, Entry best) {
            if (e.vpc != best.vpc) {
                return !e.vpc;
            }
            if (e.cidr.prefix() != best.cidr.prefix()) {
                return e.cidr.prefix() > best.cidr.prefix();
            }
            return e.order < best.order;
        }

        private TrafficClass zoneClass(Entry e) {
            if (e.thisNode) {
                return TrafficClass.SAME_ZONE;
            }
            if (e.zone.isEmpty() || nodeZone.isEmpty()) {
                return TrafficClass.IN_VPC;
            }
            return e.zone.equals(nodeZone) ? TrafficClass.SAME_ZONE : TrafficClass.CROSS_ZONE;
        }

        static boolean contains(Cidr c, byte[] a) {
            if (c.address().length != a.length) {
                return false;
            }
            return new Cidr(a, c.prefix()).equals(c);
        }

        /** The class by membership of the (disjoint) sets, in their documented precedence. */
        static TrafficClass fromSets(ClassificationSets s, byte[] a) {
            if (s.sameZone().stream().anyMatch(c -> contains(c, a))) {
                return TrafficClass.SAME_ZONE;
            }
            if (s.crossZone().stream().anyMatch(c -> contains(c, a))) {
                return TrafficClass.CROSS_ZONE;
            }
            if (s.inVpc().stream().anyMatch(c -> contains(c, a))) {
                return TrafficClass.IN_VPC;
            }
            return TrafficClass.INTERNET;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("nodeZone='" + nodeZone + "'");
            entries.forEach(e -> sb.append("\n  ").append(e));
            return sb.toString();
        }
    }
}
