package dev.netcost.bench;

import dev.netcost.core.k8s.Cidr;
import dev.netcost.core.k8s.TrafficClassifier;
import java.util.Random;

/**
 * A cluster-shaped classifier: {@code ips} endpoint addresses spread over 3 zones in a 10.0.0.0/16 VPC
 * (as EKS pod IPs from VPC subnets), 1 in 8 of them IPv6, this node in zone-a, no zone subnets configured
 * (the worst case: every address is stored), plus the queries a node sees.
 */
final class ClassificationFixture {
    static final String[] ZONES = {"zone-a", "zone-b", "zone-c"};

    private ClassificationFixture() {
    }

    /** The builder, and the IPv4 endpoint addresses it holds (for queries that hit). */
    record Cluster(TrafficClassifier.Builder builder, int[] v4Endpoints) {
    }

    static Cluster cluster(int ips, long seed) {
        Random r = new Random(seed);
        int[] v4s = new int[ips];
        int n4 = 0;
        TrafficClassifier.Builder b = TrafficClassifier.builder().nodeZone("zone-a")
                .vpc(Cidr.parse("10.0.0.0/14")).vpc(Cidr.parse("2600:1f16:abc::/56"));
        for (int i = 0; i < ips; i++) {
            String zone = ZONES[r.nextInt(ZONES.length)];
            if (i % 8 == 7) {
                byte[] a = new byte[16];
                r.nextBytes(a);
                a[0] = 0x26;
                a[1] = 0x00;
                a[2] = 0x1f;
                a[3] = 0x16;
                a[4] = 0x0a;
                a[5] = (byte) 0xbc;
                a[6] = 0;
                b.address(a, zone, false);
            } else {
                int a = 0x0A000000 | r.nextInt(1 << 18); // 10.0.0.0/14
                v4s[n4++] = a;
                b.address(v4(a), zone, false);
            }
        }
        return new Cluster(b, java.util.Arrays.copyOf(v4s, n4));
    }

    /** Query addresses: half known endpoints, a quarter unknown VPC addresses, a quarter internet. */
    static int[] queries(int n, int[] endpoints, long seed) {
        Random r = new Random(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0, 1 -> out[i] = endpoints[r.nextInt(endpoints.length)];
                case 2 -> out[i] = 0x0A000000 | r.nextInt(1 << 18);
                default -> out[i] = r.nextInt() & 0x7FFFFFFF | 0x01000000;
            }
        }
        return out;
    }

    static byte[] v4(int a) {
        return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
    }
}
