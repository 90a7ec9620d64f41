package dev.netcost.core.k8s;

import dev.netcost.core.model.Labels;
import dev.netcost.core.spi.Exporter;
import dev.netcost.core.spi.SampleConsumer;
import java.util.Objects;

/**
 * {@code netcost_node_info{node,zone,zone_id,region,instance_id,instance_type}} (value 1) for this node,
 * every cycle, from {@link ClusterMetadata#nodeInfo()}: the join key between the per-node series and
 * the bill's per-instance lines (inter-AZ transfer is billed per instance). Unknown fields are left out
 * of the label set, as remote write drops empty labels anyway.
 */
public final class NodeInfoExporter implements Exporter {
    static final String NODE_INFO = "netcost_node_info";

    private final ClusterMetadata metadata;
    private NodeInfo last;
    private Labels labels;

    public NodeInfoExporter(ClusterMetadata metadata) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
    }

    @Override
    public String name() {
        return "node_info";
    }

    @Override
    public void collect(SampleConsumer out) {
        NodeInfo n = metadata.nodeInfo();
        if (!n.equals(last)) {
            labels = Labels.of(NODE_INFO, "node", n.node(), "zone", n.zone(), "zone_id", n.zoneId(),
                    "region", n.region(), "instance_id", n.instanceId(), "instance_type", n.instanceType());
            last = n;
        }
        out.accept(labels, 1);
    }
}
