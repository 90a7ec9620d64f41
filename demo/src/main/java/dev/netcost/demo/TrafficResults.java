package dev.netcost.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the traffic clients report: per job, requests done and failed, payload each way, per clock hour. */
final class TrafficResults {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One clock hour of a job: connections opened and TCP payload sent and received by the client. */
    record Hour(long connections, long sent, long received) {
    }

    /** One job's totals. */
    record Job(String id, int ok, int failed, long sent, long received, Map<Instant, Hour> hours, List<String> errors) {
    }

    private final Map<String, Job> jobs = new LinkedHashMap<>();

    /** Reads the JSON lines a {@code TrafficClient} printed. */
    void addClientOutput(String output) {
        for (String line : output.split("\n")) {
            if (line.isBlank() || !line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                Map<Instant, Hour> hours = new TreeMap<>();
                for (JsonNode h : n.get("hours")) {
                    hours.put(Instant.parse(h.get("hour").asText()),
                            new Hour(h.get("connections").asLong(), h.get("sent").asLong(), h.get("received").asLong()));
                }
                List<String> errors = new ArrayList<>();
                n.get("errors").forEach(e -> errors.add(e.asText()));
                add(new Job(n.get("job").asText(), n.get("ok").asInt(), n.get("failed").asInt(), n.get("sent").asLong(),
                        n.get("received").asLong(), hours, errors));
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalStateException("BUG: a traffic client printed a line that is not its JSON: " + line, e);
            }
        }
    }

    void add(Job job) {
        jobs.put(job.id(), job);
    }

    Job job(String id) {
        return jobs.get(id);
    }

    /** The clock hours in which some request completed. */
    List<Instant> hours() {
        return jobs.values().stream().flatMap(j -> j.hours().keySet().stream()).distinct().sorted().toList();
    }
}
