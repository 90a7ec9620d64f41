package dev.netcost.report.allocate;

import java.math.BigDecimal;
import java.util.List;

/**
 * What the report allocates: the network items in the window, and what was left out.
 *
 * @param items    the amounts to allocate
 * @param setAside lines left out, added up by reason, line-item type and product
 * @param sources  the files read (empty for list prices)
 * @param warnings things the user should know (unparseable lines, ...)
 */
public record Bill(List<BilledItem> items, List<SetAside> setAside, List<String> sources, List<String> warnings) {
    public Bill {
        items = List.copyOf(items);
        setAside = List.copyOf(setAside);
        sources = List.copyOf(sources);
        warnings = List.copyOf(warnings);
    }

    /** The sum of the items' amounts. */
    public BigDecimal total() {
        BigDecimal t = BigDecimal.ZERO;
        for (BilledItem i : items) {
            t = t.add(i.amount());
        }
        return t;
    }
}
