import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

public class SdkFootprint {
    static long metaspace() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getName().equals("Metaspace")) return p.getUsage().getUsed();
        }
        return -1;
    }
    static int classes() { return ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(); }
    public static void main(String[] a) throws Exception {
        System.gc();
        long m0 = metaspace(); int c0 = classes(); long h0 = usedHeap();
        long t0 = System.nanoTime();
        try (var http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofMillis(300)).build();
             Ec2Client ec2 = Ec2Client.builder().region(Region.US_EAST_2).httpClient(http)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAX", "s")))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(2))).build()) {
            try {
                ec2.describeSubnetsPaginator(r -> r.filters(f -> f.name("vpc-id").values("vpc-1"))).subnets().forEach(s -> {});
            } catch (RuntimeException e) {
                System.out.println("call failed as expected: " + e.getClass().getSimpleName());
            }
            long t1 = System.nanoTime();
            System.gc();
            System.out.printf("first client + call: %d ms, +%d classes, metaspace +%.1f MiB, heap after GC +%.1f MiB%n",
                (t1 - t0) / 1_000_000, classes() - c0, (metaspace() - m0) / 1048576.0, (usedHeap() - h0) / 1048576.0);
        }
    }
    static long usedHeap() { Runtime r = Runtime.getRuntime(); return r.totalMemory() - r.freeMemory(); }
}
