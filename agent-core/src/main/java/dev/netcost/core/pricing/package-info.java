/** The price book: the prices the cost recording rules turn bytes, hours and LCUs into dollars with. */
package dev.netcost.core.pricing;
