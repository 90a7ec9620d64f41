package dev.netcost.iptables;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What netcost's table holds in the kernel, from {@code nft -t list table inet <name>} (terse: set
 * and map elements left out): the names of its counters, sets and maps, and each chain's lines
 * (a base chain's first line is its {@code type ... hook ...} line).
 */
record NftTableState(boolean exists, Set<String> counters, Set<String> sets, Set<String> maps, Map<String, List<String>> chains) {
    static final NftTableState ABSENT = new NftTableState(false, Set.of(), Set.of(), Set.of(), Map.of());

    static NftTableState parse(String listing) {
        Set<String> counters = new LinkedHashSet<>();
        Set<String> sets = new LinkedHashSet<>();
        Set<String> maps = new LinkedHashSet<>();
        Map<String, List<String>> chains = new LinkedHashMap<>();
        boolean exists = false;
        List<String> chain = null;
        for (String raw : listing.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("table ")) {
                exists = true;
            } else if (raw.startsWith("\t") && !raw.startsWith("\t\t") && line.endsWith("{")) {
                String[] words = line.split(" ");
                String name = words.length >= 3 ? words[1] : "";
                chain = null;
                switch (words[0]) {
                    case "counter" -> counters.add(name);
                    case "set" -> sets.add(name);
                    case "map" -> maps.add(name);
                    case "chain" -> {
                        chain = new ArrayList<>();
                        chains.put(name, chain);
                    }
                    default -> { }
                }
            } else if (line.equals("}")) {
                if (!raw.startsWith("\t\t")) {
                    chain = null;
                }
            } else if (chain != null && raw.startsWith("\t\t")) {
                chain.add(line);
            }
        }
        chains.replaceAll((k, v) -> List.copyOf(v));
        return new NftTableState(exists, Collections.unmodifiableSet(counters), Collections.unmodifiableSet(sets),
                Collections.unmodifiableSet(maps), Collections.unmodifiableMap(chains));
    }
}
