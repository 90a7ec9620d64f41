package dev.netcost.report.output;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netcost.report.allocate.SetAside;
import java.io.IOException;
import java.io.Writer;

/** The CSV's rows plus the window, totals, coverage, what was set aside and the other views, as JSON. */
final class JsonRenderer {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private JsonRenderer() {
    }

    static void render(Report r, Writer out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode window = root.putObject("window");
        window.put("start", r.window().start().toString());
        window.put("end", r.window().end().toString());
        window.put("hours", r.window().hours());
        root.put("by", r.by());
        root.put("source", r.source());
        root.put("currency", "USD");
        root.put("precision", r.precision());
        ArrayNode rows = root.putArray("rows");
        for (Report.Row row : r.rows()) {
            ObjectNode o = rows.addObject();
            o.put("group", row.group());
            o.put("cost_type", row.costType().label());
            if (row.usageGb() == null) {
                o.putNull("usage_gb");
            } else {
                o.put("usage_gb", row.usageGb());
            }
            o.put("allocated_usd", row.allocated());
            o.put("billed_usd", row.billed());
            o.put("source", r.source());
            if (row.isUnallocated()) {
                ArrayNode reasons = o.putArray("reasons");
                row.reasons().forEach(reasons::add);
            }
        }
        ObjectNode totals = root.putObject("totals");
        totals.put("billed_usd", r.totals().billed());
        totals.put("allocated_usd", r.totals().allocated());
        totals.put("unallocated_usd", r.totals().unallocated());
        totals.put("billed_usd_exact", r.totals().billedExact());
        ArrayNode byType = totals.putArray("by_cost_type");
        for (Report.CostTypeTotal t : r.totals().byCostType()) {
            ObjectNode o = byType.addObject();
            o.put("cost_type", t.costType().label());
            o.put("billed_usd", t.billed());
            o.put("allocated_usd", t.allocated());
            o.put("unallocated_usd", t.unallocated());
        }
        ArrayNode coverage = root.putArray("coverage");
        for (Report.Coverage c : r.coverage()) {
            ObjectNode o = coverage.addObject();
            o.put("resource", c.resource());
            o.put("usage_type", c.usageType());
            o.put("billed_gb", c.billedGb());
            o.put("measured_gb", c.measuredGb());
            if (c.ratio() == null) {
                o.putNull("ratio");
            } else {
                o.put("ratio", c.ratio());
            }
        }
        ArrayNode aside = root.putArray("set_aside");
        for (SetAside s : r.setAside()) {
            ObjectNode o = aside.addObject();
            o.put("reason", s.reason());
            o.put("line_item_type", s.lineItemType());
            o.put("product", s.product());
            o.put("lines", s.lines());
            o.put("amount_usd", s.amount());
        }
        ArrayNode lbs = root.putArray("load_balancers");
        for (Report.LoadBalancerSplit lb : r.loadBalancers()) {
            ObjectNode o = lbs.addObject();
            o.put("load_balancer", lb.loadBalancer());
            o.put("total_usd", lb.total());
            ArrayNode shares = o.putArray("shares");
            for (Report.Share s : lb.shares()) {
                shares.addObject().put("group", s.group()).put("usd", s.amount()).put("fraction", s.fraction());
            }
        }
        ArrayNode talkers = root.putArray("cross_zone_top_talkers");
        for (Report.Talker t : r.crossZoneTalkers()) {
            talkers.addObject().put("workload", t.workload()).put("gb", t.gb()).put("usd", t.usd());
        }
        ArrayNode sources = root.putArray("sources");
        r.sources().forEach(sources::add);
        ArrayNode warnings = root.putArray("warnings");
        r.warnings().forEach(warnings::add);
        root.put("generated_at", r.generatedAt().toString());
        JSON.writeValue(out, root);
        out.write("\n");
    }
}
