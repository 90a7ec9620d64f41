package dev.netcost.report.allocate;

import java.math.BigDecimal;

/**
 * Bill lines in the window that the report leaves out, added up and listed in its totals: credits,
 * refunds, tax and discounts; usage that is not a network line in scope; network lines on resources
 * outside the cluster.
 *
 * @param reason       why they are left out
 * @param lineItemType e.g. {@code Credit}, {@code Usage}
 * @param product      the product code, e.g. {@code AmazonEC2}; for network lines outside the cluster the
 *                     usage type, e.g. {@code DataTransfer-Regional-Bytes}
 * @param lines        how many lines
 * @param amount       their unblended cost, US dollars (may be negative)
 */
public record SetAside(String reason, String lineItemType, String product, long lines, BigDecimal amount) {
    public static final String CREDIT_REFUND_TAX = "credit, refund, tax or discount";
    public static final String NOT_NETWORK = "not a network line netcost splits";
    public static final String OUTSIDE_CLUSTER = "network line on a resource outside the cluster";
    public static final String NO_RESOURCE = "network line without a resource id";
}
