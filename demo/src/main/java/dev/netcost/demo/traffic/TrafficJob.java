package dev.netcost.demo.traffic;

import java.util.Arrays;
import java.util.List;

/**
 * One kind of request a traffic client repeats: {@code count} requests, each a new connection from the
 * next of {@code sources} (round robin; empty: the kernel picks) to the next of {@code targets} on
 * {@code port}, a GET of {@code body} bytes or a POST of {@code body} bytes.
 *
 * @param id      names the job in the results
 * @param method  {@code GET} or {@code POST}
 * @param sources local addresses to connect from (a load balancer's ENI addresses), or empty
 * @param targets addresses to connect to
 * @param port    the targets' port
 * @param host    the Host header
 * @param count   requests (= connections)
 * @param body    bytes of the response body (GET) or of the request body (POST)
 */
public record TrafficJob(String id, String method, List<String> sources, List<String> targets, int port, String host,
                         int count, long body) {
    public TrafficJob {
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new IllegalArgumentException("method must be GET or POST: " + method);
        }
        if (targets.isEmpty() || count < 1 || body < 0) {
            throw new IllegalArgumentException("a job needs targets, count >= 1 and body >= 0: " + id);
        }
        sources = List.copyOf(sources);
        targets = List.copyOf(targets);
    }

    /** TCP payload the client sends for the whole job. */
    public long requestBytes() {
        return count * HttpMessages.requestBytes(method, host, body);
    }

    /** TCP payload the servers send back for the whole job. */
    public long responseBytes() {
        return count * HttpMessages.responseBytes(method, body);
    }

    /** The command-line form {@link #parse} reads: {@code id|METHOD|src,src|dst,dst|port|host|count|body}. */
    public String format() {
        return String.join("|", id, method, String.join(",", sources), String.join(",", targets),
                Integer.toString(port), host, Integer.toString(count), Long.toString(body));
    }

    public static TrafficJob parse(String text) {
        String[] f = text.split("\\|", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("a job is id|METHOD|sources|targets|port|host|count|body, got " + text);
        }
        return new TrafficJob(f[0], f[1], split(f[2]), split(f[3]), Integer.parseInt(f[4]), f[5],
                Integer.parseInt(f[6]), Long.parseLong(f[7]));
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }
}
