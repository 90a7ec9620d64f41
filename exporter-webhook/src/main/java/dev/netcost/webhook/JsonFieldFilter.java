package dev.netcost.webhook;

import com.fasterxml.jackson.core.filter.TokenFilter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps only the named fields of JSON objects while a document is parsed, level by level; the
 * parser skips everything else without building it, so a review's size costs tokenizing, not a tree.
 * An array applies the filter of its field to each element. Objects and arrays on a kept path stay,
 * empty when nothing in them is kept, so lookups see the same shape as without the filter.
 */
final class JsonFieldFilter extends TokenFilter {
    private final Map<String, TokenFilter> fields;

    private JsonFieldFilter(Map<String, TokenFilter> fields) {
        this.fields = Map.copyOf(fields);
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public TokenFilter includeProperty(String name) {
        return fields.get(name);
    }

    @Override
    public TokenFilter includeElement(int index) {
        return this;
    }

    @Override
    public TokenFilter includeRootValue(int index) {
        return this;
    }

    @Override
    public boolean includeEmptyObject(boolean contentsFiltered) {
        return true;
    }

    @Override
    public boolean includeEmptyArray(boolean contentsFiltered) {
        return true;
    }

    @Override
    public String toString() {
        return "JsonFieldFilter" + fields.keySet();
    }

    static final class Builder {
        private final Map<String, TokenFilter> fields = new HashMap<>();

        private Builder() {
        }

        /** Keeps {@code name} whole, whatever it holds. */
        Builder all(String... names) {
            for (String n : names) {
                fields.put(Objects.requireNonNull(n, "name"), TokenFilter.INCLUDE_ALL);
            }
            return this;
        }

        /** Keeps what {@code filter} keeps of {@code name}. */
        Builder field(String name, JsonFieldFilter filter) {
            fields.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(filter, "filter"));
            return this;
        }

        JsonFieldFilter build() {
            return new JsonFieldFilter(fields);
        }
    }
}
