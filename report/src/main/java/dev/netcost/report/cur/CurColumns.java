package dev.netcost.report.cur;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the CUR columns the report reads in a file's header, whichever schema it uses: CUR 2.0 / Data
 * Exports and Athena-style Parquet ({@code line_item_usage_type}) or legacy CSV
 * ({@code lineItem/UsageType}). Both reduce to the same key once lower-cased with everything but
 * letters and digits removed.
 */
final class CurColumns {

    /** One column the report reads. */
    enum Column {
        USAGE_TYPE("line_item_usage_type", "lineItem/UsageType", true),
        RESOURCE_ID("line_item_resource_id", "lineItem/ResourceId", true),
        UNBLENDED_COST("line_item_unblended_cost", "lineItem/UnblendedCost", true),
        USAGE_AMOUNT("line_item_usage_amount", "lineItem/UsageAmount", true),
        USAGE_START("line_item_usage_start_date", "lineItem/UsageStartDate", true),
        PRODUCT_CODE("line_item_product_code", "lineItem/ProductCode", true),
        LINE_ITEM_TYPE("line_item_line_item_type", "lineItem/LineItemType", true),
        USAGE_END("line_item_usage_end_date", "lineItem/UsageEndDate", false),
        AVAILABILITY_ZONE("line_item_availability_zone", "lineItem/AvailabilityZone", false);

        final String cur2;
        final String legacy;
        final boolean required;

        Column(String cur2, String legacy, boolean required) {
            this.cur2 = cur2;
            this.legacy = legacy;
            this.required = required;
        }

        String key() {
            return normalize(cur2);
        }
    }

    private final Map<Column, String> names;
    private final List<Column> missing;

    private CurColumns(Map<Column, String> names, List<Column> missing) {
        this.names = names;
        this.missing = missing;
    }

    static CurColumns find(List<String> header) {
        Map<String, String> byKey = new HashMap<>();
        for (String h : header) {
            byKey.putIfAbsent(normalize(h), h);
        }
        Map<Column, String> names = new HashMap<>();
        List<Column> missing = new ArrayList<>();
        for (Column c : Column.values()) {
            String actual = byKey.get(c.key());
            if (actual != null) {
                names.put(c, actual);
            } else if (c.required) {
                missing.add(c);
            }
        }
        return new CurColumns(names, missing);
    }

    /** Required columns the header lacks; empty when the file can be read. */
    List<Column> missing() {
        return missing;
    }

    /** The column as the file spells it, or null (optional columns only). */
    String name(Column c) {
        return names.get(c);
    }

    /** "line_item_resource_id (legacy: lineItem/ResourceId)" for each missing column. */
    String describeMissing() {
        List<String> parts = new ArrayList<>();
        for (Column c : missing) {
            parts.add(c.cur2 + " (legacy CSV: " + c.legacy + ")");
        }
        return String.join(", ", parts);
    }

    static String normalize(String column) {
        StringBuilder sb = new StringBuilder(column.length());
        for (int i = 0; i < column.length(); i++) {
            char c = column.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }
}
