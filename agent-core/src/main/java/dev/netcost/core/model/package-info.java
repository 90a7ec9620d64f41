/** Immutable samples and label sets, validated against the remote-write 1.0 rules. */
package dev.netcost.core.model;
